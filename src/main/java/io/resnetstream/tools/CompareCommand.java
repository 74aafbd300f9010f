package io.resnetstream.tools;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.topology.ResnetConfig;

/**
 * Compares the main model's predictions with a candidate's (shadow mode, or a reprocess into its own topic): top-1
 * agreement over the images both classified, and the confusion table between their labels.
 */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = "Top-1 agreement and the label confusion table between the main and a candidate model's "
                + "predictions, over what both topics hold now (read_committed).")
public final class CompareCommand implements Callable<Integer> {
    @Mixin
    BrokerOptions broker;

    @Option(
            names = "--main-topic",
            defaultValue = ResnetConfig.Topics.PREDICTIONS,
            description = "The main model's predictions (default: ${DEFAULT-VALUE})")
    String mainTopic;

    @Option(
            names = "--candidate-topic",
            defaultValue = ResnetConfig.Topics.SHADOW_PREDICTIONS,
            description = "The candidate's predictions (default: ${DEFAULT-VALUE}); may be the main topic, told apart "
                    + "by --candidate-version")
    String candidateTopic;

    @Option(names = "--main-version", description = "Only the main topic's predictions made by this model version")
    String mainVersion;

    @Option(names = "--candidate-version", description = "Only the candidate's predictions made by this model version")
    String candidateVersion;

    @Option(
            names = "--max-images",
            defaultValue = "2000000",
            description = "Most image ids held in memory while joining (default: ${DEFAULT-VALUE})")
    int maxImages;

    @Option(
            names = "--min-agreement",
            defaultValue = "0",
            description = "Exit 1 when top-1 agreement is below this share, e.g. 0.98 (default: ${DEFAULT-VALUE})")
    double minAgreement;

    @Override
    public Integer call() {
        Deserializer<Prediction> predictions =
                new AvroSerde<>(broker.registryClient(), Prediction.class, SerdeOptions.values()).deserializer();
        Map<String, String> main = new HashMap<>();
        long[] read = new long[2];
        readAll(mainTopic, predictions, p -> {
            if (made(p, mainVersion)) {
                read[0]++;
                if (main.size() < maxImages || main.containsKey(p.getImageId())) {
                    main.put(p.getImageId(), top1(p)); // the last prediction of an id counts
                }
            }
        });
        Map<String, String> candidate = new HashMap<>();
        readAll(candidateTopic, predictions, p -> {
            if (made(p, candidateVersion) && main.containsKey(p.getImageId())) {
                read[1]++;
                candidate.put(p.getImageId(), top1(p));
            }
        });
        Agreement agreement = new Agreement();
        candidate.forEach((id, label) -> agreement.add(main.get(id), label));
        System.out.printf(
                "%d main prediction(s) (%d ids), %d candidate prediction(s) of those ids; %d image(s) compared%n",
                read[0], main.size(), read[1], agreement.images());
        if (main.size() >= maxImages) {
            System.out.printf("(stopped holding ids at --max-images %d: later ids were left out)%n", maxImages);
        }
        System.out.printf(
                "top-1 agreement: %.2f%% (%d/%d)%n", 100 * agreement.rate(), agreement.agreeing(), agreement.images());
        agreement.render().forEach(System.out::println);
        return agreement.images() > 0 && agreement.rate() >= minAgreement ? 0 : 1;
    }

    private static boolean made(Prediction p, String version) {
        return version == null || version.equals(p.getModel().getVersion());
    }

    private static String top1(Prediction p) {
        return p.getTopK().isEmpty() ? "" : p.getTopK().get(0).getLabel();
    }

    /** Every committed record the topic holds now: from the start to the end offsets taken when reading began. */
    private void readAll(String topic, Deserializer<Prediction> predictions, Consumer<Prediction> each) {
        Properties p = broker.clientProperties();
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // read_committed: the stable offsets
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(predictions.deserialize(r.topic(), r.value()));
                    }
                }
            }
        }
    }
}
