package io.resnetstream.tools;

import java.util.Properties;

import picocli.CommandLine.Option;

import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.SchemaRegistryClient;
import io.resnetstream.topology.Topics;

/** Where the broker and the registry are; shared by the commands that talk to them. */
public final class KafkaOptions {
    @Option(names = "--bootstrap", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
    String bootstrap;

    @Option(names = "--registry", defaultValue = "${env:RESNET_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}",
            description = "Schema registry URL (default: ${DEFAULT-VALUE})")
    String registry;

    @Option(names = "--images-topic", defaultValue = "${env:RESNET_TOPIC_IMAGES:-" + Topics.IMAGES + "}",
            description = "Images topic (default: ${DEFAULT-VALUE})")
    String imagesTopic;

    @Option(names = "--predictions-topic", defaultValue = "${env:RESNET_TOPIC_PREDICTIONS:-" + Topics.PREDICTIONS + "}",
            description = "Predictions topic (default: ${DEFAULT-VALUE})")
    String predictionsTopic;

    @Option(names = "--dead-letters-topic", defaultValue = "${env:RESNET_TOPIC_DEAD_LETTERS:-" + Topics.DEAD_LETTERS
            + "}", description = "Dead-letter topic (default: ${DEFAULT-VALUE})")
    String deadLettersTopic;

    Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    SchemaRegistryClient registryClient() {
        return new SchemaRegistryClient(RegistrySettings.builder(registry).build());
    }
}
