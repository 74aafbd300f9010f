package io.resnetstream.it;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.testing.ColourClassifier;
import io.resnetstream.testing.LocalStack;
import io.resnetstream.testing.TestConfig;
import io.resnetstream.testing.TestImages;
import io.resnetstream.topology.Pipeline;
import io.resnetstream.topology.PipelineTopology;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The buffer holds references, on the real broker: images buffered by one instance are classified by the next from
 * their references alone (restored from the changelog into a fresh state directory, so nothing of the first
 * process is left), their bytes read again from the input topic; the ones retention deleted meanwhile
 * ({@code deleteRecords}, which moves the log start as retention does) become EXPIRED dead letters.
 */
class RestoreFromReferencesIT {
    private final String run = "it-refs-" + UUID.randomUUID().toString().substring(0, 8);
    private final SchemaRegistry registry = LocalStack.newRegistryClient();

    @TempDir
    Path dir;

    @Test
    void bufferedReferencesAreReadAgainFromTheInputTopicAndDeletedOnesExpire() throws Exception {
        Properties client = new Properties();
        client.put("bootstrap.servers", LocalStack.BOOTSTRAP);
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(
                            new NewTopic(run + "-images", 1, (short) 1),
                            new NewTopic(run + "-predictions", 1, (short) 1),
                            new NewTopic(run + "-dlq", 1, (short) 1)))
                    .all()
                    .get();
            Color[] colours = {Color.RED, Color.GREEN, Color.BLUE, Color.RED};
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(client, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < colours.length; i++) {
                    producer.send(new ProducerRecord<>(
                            run + "-images",
                            ("img-" + i).getBytes(StandardCharsets.UTF_8),
                            TestImages.png(TestImages.solid(colours[i], 20, 20))));
                }
            }

            // 1. an instance buffers all four and is stopped before any batch is due
            try (Instance first = new Instance("first", "1h")) {
                first.awaitBuffered(colours.length);
            }
            // 2. meanwhile retention takes the first two
            admin.deleteRecords(Map.of(new TopicPartition(run + "-images", 0), RecordsToDelete.beforeOffset(2)))
                    .all()
                    .get();
            // 3. the next instance, on a fresh state directory: only the changelog's references are left
            List<SpecificRecord> outcomes;
            try (Instance second = new Instance("second", "100ms")) {
                outcomes = readOutcomes(colours.length);
            }

            assertThat(outcomes).hasSize(colours.length);
            assertThat(outcomes.stream()
                            .filter(o -> o instanceof DeadLetter)
                            .map(o -> ((DeadLetter) o).getImageId() + ":" + ((DeadLetter) o).getReason()))
                    .containsExactlyInAnyOrder("img-0:EXPIRED", "img-1:EXPIRED");
            assertThat(outcomes.stream()
                            .filter(o -> o instanceof Prediction)
                            .map(o -> ((Prediction) o).getImageId() + ":"
                                    + ((Prediction) o).getTopK().get(0).getLabel()))
                    .containsExactlyInAnyOrder("img-2:blue", "img-3:red");
        }
    }

    /** Every outcome, read_committed, until {@code n} came (or a minute passed), then a second more for extras. */
    private List<SpecificRecord> readOutcomes(int n) {
        Properties props = new Properties();
        props.put("bootstrap.servers", LocalStack.BOOTSTRAP);
        props.put("group.id", run + "-reader");
        props.put("isolation.level", "read_committed");
        props.put("auto.offset.reset", "earliest");
        var predictions = new AvroSerde<>(registry, Prediction.class, SerdeOptions.values()).deserializer();
        var deadLetters = new AvroSerde<>(registry, DeadLetter.class, SerdeOptions.values()).deserializer();
        List<SpecificRecord> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(run + "-predictions", run + "-dlq"));
            long deadline = System.currentTimeMillis() + 60_000;
            long extra = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, extra)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(
                            r.topic().endsWith("-dlq")
                                    ? deadLetters.deserialize(r.topic(), r.value())
                                    : predictions.deserialize(r.topic(), r.value()));
                }
                if (out.size() >= n && extra == Long.MAX_VALUE) {
                    extra = System.currentTimeMillis() + 1_000;
                }
            }
        }
        return out;
    }

    /** The pipeline (a stand-in model, the shared registry) in Kafka Streams, exactly once, its own state dir. */
    private final class Instance implements AutoCloseable {
        final Pipeline pipeline;
        final KafkaStreams streams;

        Instance(String name, String maxDelay) throws InterruptedException {
            Map<String, String> values = new HashMap<>();
            values.put("resnet.input-format", "raw");
            values.put("resnet.registry.url", LocalStack.REGISTRY_URL);
            values.put("resnet.state-dir", dir.resolve(name).toString());
            values.put("resnet.topics.images", run + "-images");
            values.put("resnet.topics.predictions", run + "-predictions");
            values.put("resnet.topics.dead-letters", run + "-dlq");
            values.put("resnet.batch.max-images", "100");
            values.put("resnet.batch.max-delay", maxDelay);
            values.put("resnet.batch.preprocess-threads", "1");
            ResnetConfig config = TestConfig.resnet(values);
            pipeline = Pipeline.assemble(config, new SimpleMeterRegistry(), new ColourClassifier(), registry);
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, run);
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.BOOTSTRAP);
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(
                    StreamsConfig.STATE_DIR_CONFIG,
                    dir.resolve(name).resolve("streams").toString());
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
            props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
            props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
            streams = new KafkaStreams(pipeline.topology(), props);
            streams.start();
            long deadline = System.currentTimeMillis() + 120_000;
            while (streams.state() != KafkaStreams.State.RUNNING) {
                assertThat(System.currentTimeMillis())
                        .as("Kafka Streams running")
                        .isLessThan(deadline);
                Thread.sleep(100);
            }
        }

        void awaitBuffered(int n) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 60_000;
            long buffered = 0;
            while (System.currentTimeMillis() < deadline) {
                try {
                    ReadOnlyKeyValueStore<Long, Object> store = streams.store(StoreQueryParameters.fromNameAndType(
                            PipelineTopology.BUFFER_STORE, QueryableStoreTypes.keyValueStore()));
                    buffered = store.approximateNumEntries();
                    if (buffered >= n) {
                        Thread.sleep(500); // a commit interval or more: the transaction with the last one commits
                        return;
                    }
                } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
                    // not queryable yet
                }
                Thread.sleep(100);
            }
            throw new AssertionError("only " + buffered + " of " + n + " images buffered within a minute");
        }

        @Override
        public void close() {
            streams.close(Duration.ofSeconds(30));
            pipeline.close();
        }
    }
}
