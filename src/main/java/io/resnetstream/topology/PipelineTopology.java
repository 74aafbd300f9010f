package io.resnetstream.topology;

import java.time.Duration;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import io.resnetstream.batching.BatchCoordinator;
import io.resnetstream.batching.BatchTracing;
import io.resnetstream.batching.PendingImageSerde;
import io.resnetstream.batching.internal.PendingImage;
import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.inference.ModelSlot;
import io.resnetstream.ingest.ImageIntake;

/**
 * The pipeline's Kafka Streams wiring: images → classify (buffer store) → predictions | dead letters.
 * {@link Pipeline#assemble} builds it, for the service, the tools and the {@code TopologyTestDriver} tests alike.
 */
public final class PipelineTopology {
    public static final String SOURCE = "images";
    public static final String CLASSIFY = "classify";
    public static final String BUFFER_STORE = "image-buffer";
    public static final String PREDICTIONS_SINK = "predictions";
    public static final String DEAD_LETTER_SINK = "dead-letters";
    public static final String SHADOW_SINK = "shadow-predictions";

    private PipelineTopology() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Topology build(
            ResnetConfig.Topics topics,
            ResnetConfig.Batch batch,
            ImageIntake intake,
            Outcomes outcomes,
            ModelSlot models,
            ModelSlot shadow,
            BatchCoordinator.Quarantine quarantine,
            int largestRecordBytes,
            ClassifyMetrics metrics,
            BatchTracing tracing,
            Serializer<Prediction> predictions,
            Serializer<DeadLetter> deadLetters,
            int fetchParallelism,
            InputRereads rereads) {
        long maxDelayMs = batch.maxDelay().toMillis();
        // One coordinator per stream thread: it batches across that thread's tasks (partitions).
        ThreadLocal<BatchCoordinator> coordinators = ThreadLocal.withInitial(() -> new BatchCoordinator(
                models,
                shadow,
                batch.maxImages(),
                batch.maxBytes(),
                maxDelayMs,
                batch.inFlight(),
                metrics,
                quarantine,
                fetchParallelism,
                tracing));
        // Persistent (RocksDB) rather than in memory: with a persistent store Kafka Streams keeps its process id in the
        // state directory, so a restarted instance has the same transactional ids and fences its dead predecessor's
        // open transaction at once, instead of waiting out the transaction timeout.
        StoreBuilder<KeyValueStore<Long, PendingImage>> buffer = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(BUFFER_STORE), Serdes.Long(), new PendingImageSerde())
                .withLoggingEnabled(changelogSettings(largestRecordBytes));
        Topology topology = new Topology();
        topology.addSource(
                SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.images());
        topology.addProcessor(
                CLASSIFY,
                () -> new ClassifyProcessor(intake, outcomes, coordinators::get, metrics, tick(maxDelayMs), rereads),
                SOURCE);
        topology.addStateStore(buffer, CLASSIFY);
        // The sinks take the records' concrete types; the processor forwards each to the matching sink.
        topology.addSink(
                PREDICTIONS_SINK,
                topics.predictions(),
                Serdes.String().serializer(),
                (Serializer<SpecificRecord>) (Serializer) predictions,
                CLASSIFY);
        topology.addSink(
                DEAD_LETTER_SINK,
                topics.deadLetters(),
                Serdes.String().serializer(),
                (Serializer<SpecificRecord>) (Serializer) deadLetters,
                CLASSIFY);
        if (shadow != null) {
            topology.addSink(
                    SHADOW_SINK,
                    topics.shadowPredictions(),
                    Serdes.String().serializer(),
                    (Serializer<SpecificRecord>) (Serializer) predictions,
                    CLASSIFY);
        }
        return topology;
    }

    /**
     * The buffer's changelog: segments that roll every ten minutes (the active one never compacts, and every
     * restore reads it whole), tombstones kept ten minutes. Its records are references of a few hundred bytes; the
     * room for the largest record the consumer accepts is kept anyway, so that an image id or key at its limit
     * never fails the task on each retry.
     */
    static Map<String, String> changelogSettings(int largestRecordBytes) {
        return Map.of(
                TopicConfig.SEGMENT_MS_CONFIG, "600000",
                TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(Math.max(64 << 20, largestRecordBytes + (1 << 20))),
                TopicConfig.DELETE_RETENTION_MS_CONFIG, "600000",
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1",
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(largestRecordBytes));
    }

    /** How often the punctuator checks the oldest image: a fraction of the delay, within 5–100 ms. */
    static Duration tick(long maxDelayMs) {
        return Duration.ofMillis(Math.max(5, Math.min(100, maxDelayMs / 4)));
    }
}
