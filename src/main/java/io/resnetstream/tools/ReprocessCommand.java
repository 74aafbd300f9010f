package io.resnetstream.tools;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.topology.Pipeline;
import io.resnetstream.topology.ResnetConfig;

/**
 * {@code bin/resnet-stream reprocess}: classifies a range of the images topic again, with another model, under an
 * application id of its own, and stops by itself once every record of the range has its outcome.
 *
 * <p>How it stops: the range is fixed at start (per partition, [start, end)); the group's offsets are set to the
 * starts before Kafka Streams runs; {@link ReprocessRange} drops every record at or past its partition's end on
 * the main consumer; the records of the range are read once beforehand (read_committed, offsets only kept, one bit
 * each) so that it knows which offsets exist; an outcome reader marks each offset whose prediction (made by this
 * model: its digest) or dead letter arrives on the output topics. When all are marked, Kafka Streams is closed:
 * everything in range has been committed exactly once (the service's own exactly-once pipeline).
 */
@Command(
        name = "reprocess",
        mixinStandardHelpOptions = true,
        description = {
            "Re-classify a range of the images topic with another model under its own application id, into the "
                    + "predictions topic (--predictions-topic: another one) and the dead-letter topic; stops once "
                    + "every record of the range has its outcome. Each prediction names the model that made it.",
            "Exit status: 0 done; 1 some dead letter; 3 timed out."
        })
public final class ReprocessCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--model", required = true, description = "The model directory (a SavedModel with manifest.json)")
    Path model;

    @Option(
            names = "--application-id",
            required = true,
            description = "Kafka Streams application id for this run (its consumer group and internal topics); "
                    + "must not have been used before")
    String applicationId;

    @Option(
            names = "--from-offset",
            description = "Start at this offset in every partition (default: the start of the topic)")
    Long fromOffset;

    @Option(
            names = "--from-timestamp",
            description = "Start at the first record at or after this time (ISO-8601, e.g. 2026-11-30T00:00:00Z)")
    Instant fromTimestamp;

    @Option(names = "--to-offset", description = "End before this offset in every partition (default: the end now)")
    Long toOffset;

    @Option(names = "--to-timestamp", description = "End before the first record at or after this time")
    Instant toTimestamp;

    @Option(names = "--partition", description = "Only these partitions of the images topic (repeatable; default: all)")
    List<Integer> partitions;

    @Option(
            names = "--set",
            description = "A service setting for this run, key=value (repeatable), e.g. resnet.batch.max-images=32")
    Map<String, String> settings = new HashMap<>();

    @Option(
            names = "--state-dir",
            description = "Kafka Streams state directory (default: <tmp>/resnet-stream-reprocess/<application id>)")
    Path stateDir;

    @Option(
            names = "--timeout",
            defaultValue = "5m",
            converter = ChaosCommand.DurationOption.class,
            description = "Give up once no outcome has come for this long (default: ${DEFAULT-VALUE})")
    Duration timeout;

    /** The range to reprocess: per partition, [start, end). */
    record Range(Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends) {
        long size() {
            return ends.entrySet().stream()
                    .mapToLong(e -> e.getValue() - starts.get(e.getKey()))
                    .sum();
        }
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Range range;
        Map<TopicPartition, BitSet> expected;
        Map<TopicPartition, Long> outcomeEnds;
        try (var consumer = readCommitted()) {
            range = range(consumer);
            expected = recordsIn(consumer, range);
            List<TopicPartition> outputs = new ArrayList<>();
            for (String t : List.of(kafka.predictionsTopic, kafka.deadLettersTopic)) {
                ensureTopic(t, range.starts().size());
                consumer.partitionsFor(t, Duration.ofSeconds(30))
                        .forEach(p -> outputs.add(new TopicPartition(t, p.partition())));
            }
            outcomeEnds = consumer.endOffsets(outputs);
        }
        long records = expected.values().stream().mapToLong(BitSet::cardinality).sum();
        System.err.printf(
                "reprocess %s with %s as %s: %d record(s) in offsets %s .. %s%n",
                kafka.imagesTopic, model, applicationId, records, range.starts(), range.ends());
        startGroupAt(range);

        // the connections the tool was given (TLS, SASL, registry auth), as the service's own settings
        Map<String, String> values = new HashMap<>(kafka.clientConfig().serviceSettings());
        values.putAll(settings);
        values.put("resnet.model.dir", model.toString());
        values.put("resnet.registry.url", kafka.registry);
        values.put("kafka.bootstrap.servers", kafka.bootstrap);
        values.put("resnet.application-id", applicationId);
        values.put(
                "resnet.state-dir",
                (stateDir != null
                                ? stateDir
                                : Path.of(
                                        System.getProperty("java.io.tmpdir"), "resnet-stream-reprocess", applicationId))
                        .toString());
        values.put("resnet.topics.images", kafka.imagesTopic);
        values.put("resnet.topics.predictions", kafka.predictionsTopic);
        values.put("resnet.topics.dead-letters", kafka.deadLettersTopic);
        SmallRyeConfig all = ConfigLoader.load(values);
        ResnetConfig config = ConfigLoader.pipeline(all);
        Properties streamsProps = ConfigLoader.streams(all);
        streamsProps.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap);
        streamsProps.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        streamsProps.put(
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
                ReprocessRange.class.getName());
        ReprocessRange.bound(applicationId, range.ends());

        long predictions = 0;
        long deadLetters = 0;
        long duplicates = 0;
        boolean complete;
        try (Pipeline pipeline = Pipeline.assemble(config, new SimpleMeterRegistry());
                var outcomes = readCommitted()) {
            ModelManifest manifest = pipeline.batchClassifier().classifier().manifest();
            System.err.printf("model %s %s (sha256 %s)%n", manifest.name(), manifest.version(), manifest.digest());
            Deserializer<Prediction> predictionReader =
                    new AvroSerde<>(pipeline.registry(), Prediction.class, SerdeOptions.values()).deserializer();
            Deserializer<DeadLetter> deadLetterReader =
                    new AvroSerde<>(pipeline.registry(), DeadLetter.class, SerdeOptions.values()).deserializer();
            outcomes.assign(outcomeEnds.keySet());
            outcomeEnds.forEach(outcomes::seek);
            Map<TopicPartition, BitSet> done = new HashMap<>();
            expected.keySet().forEach(tp -> done.put(tp, new BitSet()));
            long settled = 0;
            KafkaStreams streams = new KafkaStreams(pipeline.topology(), streamsProps);
            try {
                streams.start();
                long lastProgress = System.nanoTime();
                while (settled < records
                        && System.nanoTime() - lastProgress < timeout.toNanos()
                        && streams.state() != KafkaStreams.State.ERROR) {
                    for (ConsumerRecord<byte[], byte[]> r : outcomes.poll(Duration.ofMillis(200))) {
                        TopicPartition input;
                        long offset;
                        boolean deadLetter = r.topic().equals(kafka.deadLettersTopic);
                        if (deadLetter) {
                            DeadLetter d = deadLetterReader.deserialize(r.topic(), r.value());
                            input = new TopicPartition(d.getTopic(), d.getPartition());
                            offset = d.getOffset();
                        } else {
                            Prediction p = predictionReader.deserialize(r.topic(), r.value());
                            if (!p.getModel().getDigest().equals(manifest.digest())) {
                                continue; // another model's prediction (the live service writing to this topic)
                            }
                            input = new TopicPartition(
                                    p.getSource().getTopic(), p.getSource().getPartition());
                            offset = p.getSource().getOffset();
                        }
                        BitSet want = expected.get(input);
                        if (want == null) {
                            continue;
                        }
                        int bit = (int) (offset - range.starts().get(input));
                        if (bit < 0 || !want.get(bit)) {
                            continue;
                        }
                        BitSet got = done.get(input);
                        if (got.get(bit)) {
                            duplicates++;
                            continue;
                        }
                        got.set(bit);
                        settled++;
                        lastProgress = System.nanoTime();
                        if (deadLetter) {
                            deadLetters++;
                        } else {
                            predictions++;
                        }
                    }
                }
                complete = settled == records;
            } finally {
                streams.close(Duration.ofSeconds(30));
                streams.cleanUp();
                ReprocessRange.release(applicationId);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "reprocessed %d of %d record(s) of %s with %s into %s: %d prediction(s), %d dead letter(s), "
                        + "%d duplicate(s) seen; %.1f s, %.1f images/s%n",
                predictions + deadLetters,
                records,
                kafka.imagesTopic,
                model,
                kafka.predictionsTopic,
                predictions,
                deadLetters,
                duplicates,
                seconds,
                (predictions + deadLetters) / seconds);
        if (!complete) {
            return BackfillCommand.EXIT_TIMEOUT;
        }
        return deadLetters > 0 ? BackfillCommand.EXIT_DEAD_LETTERS : 0;
    }

    /** Per partition [start, end): from the options, within what the partition holds now. */
    Range range(KafkaConsumer<byte[], byte[]> consumer) {
        List<TopicPartition> tps = new ArrayList<>();
        consumer.partitionsFor(kafka.imagesTopic, Duration.ofSeconds(30)).forEach(p -> {
            if (partitions == null || partitions.contains(p.partition())) {
                tps.add(new TopicPartition(kafka.imagesTopic, p.partition()));
            }
        });
        if (tps.isEmpty()) {
            throw new IllegalArgumentException("no such partitions of " + kafka.imagesTopic + ": " + partitions);
        }
        Map<TopicPartition, Long> first = consumer.beginningOffsets(tps);
        Map<TopicPartition, Long> last = consumer.endOffsets(tps);
        Map<TopicPartition, Long> fromTime = fromTimestamp == null ? Map.of() : atTime(consumer, tps, fromTimestamp);
        Map<TopicPartition, Long> toTime = toTimestamp == null ? Map.of() : atTime(consumer, tps, toTimestamp);
        Map<TopicPartition, Long> starts = new HashMap<>();
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (TopicPartition tp : tps) {
            long end = last.get(tp);
            if (toOffset != null) {
                end = Math.min(end, toOffset);
            }
            if (toTimestamp != null) {
                end = Math.min(end, toTime.getOrDefault(tp, last.get(tp)));
            }
            long start = first.get(tp);
            if (fromOffset != null) {
                start = Math.max(start, fromOffset);
            }
            if (fromTimestamp != null) {
                start = Math.max(start, fromTime.getOrDefault(tp, last.get(tp)));
            }
            starts.put(tp, Math.min(start, end));
            ends.put(tp, end);
        }
        return new Range(starts, ends);
    }

    /** The first offset at or after {@code time}, per partition; the end where none is. */
    private static Map<TopicPartition, Long> atTime(
            KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> tps, Instant time) {
        Map<TopicPartition, Long> query = new HashMap<>();
        tps.forEach(tp -> query.put(tp, time.toEpochMilli()));
        Map<TopicPartition, Long> out = new HashMap<>();
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
        consumer.offsetsForTimes(query)
                .forEach((tp, found) -> out.put(tp, found == null ? ends.get(tp) : found.offset()));
        return out;
    }

    /**
     * Which offsets of the range hold a record a read_committed reader sees (not a transaction marker nor an
     * aborted record): one bit per offset. Reads the range once.
     */
    private static Map<TopicPartition, BitSet> recordsIn(KafkaConsumer<byte[], byte[]> consumer, Range range) {
        Map<TopicPartition, BitSet> out = new HashMap<>();
        List<TopicPartition> left = new ArrayList<>();
        range.starts().forEach((tp, start) -> {
            out.put(tp, new BitSet());
            if (range.ends().get(tp) - start > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("more than 2^31 records in partition " + tp + ": split the range");
            }
            if (start < range.ends().get(tp)) {
                left.add(tp);
            }
        });
        consumer.assign(left);
        left.forEach(tp -> consumer.seek(tp, range.starts().get(tp)));
        while (left.stream().anyMatch(tp -> consumer.position(tp) < range.ends().get(tp))) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                long start = range.starts().get(tp);
                if (r.offset() >= start && r.offset() < range.ends().get(tp)) {
                    out.get(tp).set((int) (r.offset() - start));
                }
            }
        }
        consumer.assign(List.of());
        return out;
    }

    /** Sets the application's group to the range's starts; refuses a group that already committed offsets. */
    private void startGroupAt(Range range) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Map<TopicPartition, OffsetAndMetadata> existing = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata()
                    .get();
            if (existing != null && !existing.isEmpty()) {
                throw new IllegalStateException("application id " + applicationId
                        + " has committed offsets already: choose a new one for each reprocessing run");
            }
            Map<TopicPartition, OffsetAndMetadata> starts = new HashMap<>();
            range.starts().forEach((tp, o) -> starts.put(tp, new OffsetAndMetadata(o)));
            admin.alterConsumerGroupOffsets(applicationId, starts).all().get();
        }
    }

    private void ensureTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                        .all()
                        .get();
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> readCommitted() {
        Properties p = kafka.clientProperties();
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("max.partition.fetch.bytes", String.valueOf(32 * 1024 * 1024));
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
