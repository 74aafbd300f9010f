package io.resnetstream.tools;

import picocli.CommandLine.Option;

import io.resnetstream.topology.ResnetConfig;

/** The broker, the registry and the service's topics: for the commands that use the service's own topics. */
public final class KafkaOptions extends BrokerOptions {
    @Option(
            names = "--images-topic",
            defaultValue = "${env:RESNET_TOPICS_IMAGES:-" + ResnetConfig.Topics.IMAGES + "}",
            description = "Images topic (default: ${DEFAULT-VALUE})")
    String imagesTopic;

    @Option(
            names = "--predictions-topic",
            defaultValue = "${env:RESNET_TOPICS_PREDICTIONS:-" + ResnetConfig.Topics.PREDICTIONS + "}",
            description = "Predictions topic (default: ${DEFAULT-VALUE})")
    String predictionsTopic;

    @Option(
            names = "--dead-letters-topic",
            defaultValue = "${env:RESNET_TOPICS_DEAD_LETTERS:-" + ResnetConfig.Topics.DEAD_LETTERS + "}",
            description = "Dead-letter topic (default: ${DEFAULT-VALUE})")
    String deadLettersTopic;
}
