package io.resnetstream.tools;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.resnetstream.contracts.ClassScore;
import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;

/** Prints predictions and dead letters as they are committed. */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description =
                "Print each prediction (id, top-1 label, probability, crop agreement, batch size) and dead letter as it arrives.")
public final class TailCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--count", defaultValue = "0", description = "Stop after this many outcomes (0: never)")
    int count;

    @Option(names = "--timeout", defaultValue = "0", description = "Stop after this many seconds (0: never)")
    int timeoutSeconds;

    @Option(names = "--from-beginning", description = "Read the topics from the start, not only new records")
    boolean fromBeginning;

    @Option(names = "--id-prefix", defaultValue = "", description = "Only outcomes whose image id starts with this")
    String idPrefix;

    @Override
    public Integer call() {
        SchemaRegistry registry = kafka.registryClient();
        var predictions = new AvroSerde<>(registry, Prediction.class, SerdeOptions.values()).deserializer();
        var deadLetters = new AvroSerde<>(registry, DeadLetter.class, SerdeOptions.values()).deserializer();
        Properties p = kafka.clientProperties();
        p.put("group.id", "resnet-stream-tail-" + ProcessHandle.current().pid());
        p.put("isolation.level", "read_committed"); // only what the pipeline's transactions committed
        p.put("auto.offset.reset", fromBeginning ? "earliest" : "latest");
        p.put("enable.auto.commit", "false");
        long deadline = timeoutSeconds > 0 ? System.currentTimeMillis() + timeoutSeconds * 1000L : Long.MAX_VALUE;
        int seen = 0;
        int correct = 0;
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(kafka.predictionsTopic, kafka.deadLettersTopic));
            while ((count == 0 || seen < count) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String line;
                    String id;
                    boolean right = false;
                    if (r.topic().equals(kafka.predictionsTopic)) {
                        Prediction prediction = predictions.deserialize(r.topic(), r.value());
                        id = prediction.getImageId();
                        line = describe(prediction);
                        right = SampleImages.truthOf(id)
                                .equals(prediction.getTopK().get(0).getLabel());
                    } else {
                        DeadLetter d = deadLetters.deserialize(r.topic(), r.value());
                        id = d.getImageId() == null ? "" : d.getImageId();
                        line = describe(d);
                    }
                    if (id.startsWith(idPrefix)) {
                        System.out.println(line);
                        seen++;
                        correct += right ? 1 : 0;
                    }
                }
            }
        }
        System.out.printf("%d outcome(s); %d prediction(s) named the sample's true shape%n", seen, correct);
        return count == 0 || seen >= count ? 0 : 1;
    }

    static String describe(Prediction p) {
        ClassScore top = p.getTopK().get(0);
        return String.format(
                "%-28s %-10s p=%.3f  crops agreeing %2d/%-2d  batch %3d  queued %5d ms",
                p.getImageId(),
                top.getLabel(),
                top.getProbability(),
                p.getTopCropVotes(),
                p.getCropsAveraged(),
                p.getTimings().getBatchImages(),
                p.getTimings().getQueuedMs());
    }

    static String describe(DeadLetter d) {
        return String.format(
                "%-28s DEAD LETTER %s: %s",
                d.getImageId() != null ? d.getImageId() : d.getTopic() + "/" + d.getPartition() + "/" + d.getOffset(),
                d.getReason(),
                d.getMessage());
    }
}
