package io.resnetstream.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import io.resnetstream.contracts.Prediction;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.testing.LocalStack;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code reprocess} on the shared stack: 40 images on a fresh images topic, offsets [10, 30) re-classified with
 * the shipped model under an application id of its own into another topic. The command stops by itself, and that
 * topic then holds exactly 20 predictions, one for each offset of the range, each naming the model.
 */
class ReprocessIT {
    static final int IMAGES = 40;
    static final long FROM = 10;
    static final long TO = 30;

    @Test
    void aRangeIsClassifiedOnceByTheGivenModelAndTheRunStopsAtItsEnd() throws Exception {
        String run = LocalStack.unique("it-reprocess").substring(0, 24);
        String images = run + "-images";
        String output = run + "-v2-predictions";
        String deadLetters = run + "-v2-dlq";
        Properties admin = new Properties();
        admin.put("bootstrap.servers", LocalStack.BOOTSTRAP);
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic(images, 1, (short) 1))).all().get();
        }
        String[] broker = {"--bootstrap", LocalStack.BOOTSTRAP, "--registry", LocalStack.REGISTRY_URL};
        int produced = new CommandLine(new ProduceCommand())
                .execute(concat(
                        broker,
                        "--images-topic",
                        images,
                        "--count",
                        String.valueOf(IMAGES),
                        "--size",
                        "48",
                        "--id-prefix",
                        run));
        assertThat(produced).isZero();

        int exit = new CommandLine(new ReprocessCommand())
                .execute(concat(
                        broker,
                        "--images-topic",
                        images,
                        "--predictions-topic",
                        output,
                        "--dead-letters-topic",
                        deadLetters,
                        "--model",
                        ResnetConfig.Model.DEFAULT_DIR,
                        "--application-id",
                        run + "-reprocess",
                        "--from-offset",
                        String.valueOf(FROM),
                        "--to-offset",
                        String.valueOf(TO),
                        "--timeout",
                        "3m"));
        assertThat(exit).as("exit status").isZero();

        ModelManifest shipped =
                ModelManifest.read(java.nio.file.Path.of(ResnetConfig.Model.DEFAULT_DIR, ModelManifest.FILE_NAME));
        Deserializer<Prediction> reader =
                new AvroSerde<>(LocalStack.newRegistryClient(), Prediction.class, SerdeOptions.values()).deserializer();
        Map<Long, Integer> perOffset = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(output)) {
            Prediction p = reader.deserialize(r.topic(), r.value());
            assertThat(p.getSource().getTopic()).isEqualTo(images);
            assertThat(p.getModel().getName()).isEqualTo(shipped.name());
            assertThat(p.getModel().getVersion()).isEqualTo(shipped.version());
            perOffset.merge(p.getSource().getOffset(), 1, Integer::sum);
        }
        assertThat(perOffset.keySet()).as("input offsets predicted").containsExactlyElementsOf(range(FROM, TO));
        assertThat(perOffset.values()).as("predictions per offset").allMatch(n -> n == 1);
        assertThat(readAll(deadLetters)).as("dead letters").isEmpty();
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long o = from; o < to; o++) {
            out.add(o);
        }
        return out;
    }

    private static String[] concat(String[] first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", LocalStack.BOOTSTRAP);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
