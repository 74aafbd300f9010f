package io.resnetstream.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.resnet.training.ShapesDataset;
import io.resnetstream.testing.TestImages;
import io.resnetstream.tools.ServiceProcess;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the packaged service (two processes, each with its own state directory, so its own Kafka Streams
 * process id and transactional ids, and its own client id) share one images topic of {@value #PARTITIONS}
 * partitions on the shared stack: each image gets exactly one outcome across both. Then one instance is killed with
 * SIGKILL while a backlog remains; the other takes over its partitions (after the group notices the dead member and
 * after the dead member's open transaction is aborted) and nothing is lost or duplicated. Outcomes are counted per
 * image id on both output topics by a {@code read_committed} reader, read to their end after the survivor stopped.
 * <p>
 * It logs the throughput with two instances and with the survivor alone; on a 2-core machine both share the same
 * cores, so two instances are not faster (docs/operations.md, Scaling out).
 */
class ScaleOutIT {
    private static final String MODEL = System.getProperty("it.model.dir", ResnetConfig.Model.DEFAULT_DIR);
    static final int PARTITIONS = 4;
    /** Images while both instances run, and then the backlog that the kill lands in. */
    private static final int IMAGES_SHARED = 600;

    private static final int IMAGES_KILL = 800;
    /**
     * The dead member's partitions wait for the group to notice it (session.timeout.ms, 10 s) and then for its open
     * transaction to be aborted, which only the transaction timeout does: the survivor has other transactional ids,
     * so it cannot fence it (measured: the takeover follows this timeout). The test shortens it (the
     * service's 120 s allows slow CPU batches of ResNet-50; this model's batches take well under a second) so that
     * the run stays short; {@code -Dit.scale-out.transaction-timeout-ms} sets another.
     */
    private static final int TRANSACTION_TIMEOUT_MS = Integer.getInteger("it.scale-out.transaction-timeout-ms", 20_000);
    /**
     * Both waits, the broker's sweep for timed-out transactions (every 10 s) and room for a loaded 2-core machine:
     * 23.7-33.5 s measured with a load average of 27-35 (docs/operations.md, Scaling out).
     */
    static final Duration TAKEOVER_BOUND =
            Duration.ofMillis(TRANSACTION_TIMEOUT_MS).plusSeconds(40);

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final StackClients stack = new StackClients();
    private final Deserializer<Prediction> predictions =
            new AvroSerde<>(StackClients.registry(), Prediction.class, SerdeOptions.values()).deserializer();
    private final Deserializer<DeadLetter> deadLetters =
            new AvroSerde<>(StackClients.registry(), DeadLetter.class, SerdeOptions.values()).deserializer();

    @Test
    void twoInstancesClassifyEachImageOnceAndTheSurvivorOfASigkillTakesOverItsPartitions() throws Exception {
        stack.createTopics(PARTITIONS);
        List<byte[]> jpegs = jpegs();
        Path aState = Files.createTempDirectory("resnet-stream-" + stack.run + "-state-a");
        Path bState = Files.createTempDirectory("resnet-stream-" + stack.run + "-state-b");
        try (Outcomes outcomes = new Outcomes();
                ServiceProcess a = start("a", aState);
                ServiceProcess b = start("b", bState);
                KafkaProducer<String, byte[]> producer = stack.producer()) {
            outcomes.start();
            Map<String, Set<Integer>> shares = awaitAssignment(2, a, b);
            // Own state directories, own identities: Kafka Streams' process ids, from which transactional ids derive.
            assertThat(processId(aState)).isNotEqualTo(processId(bState));
            Set<Integer> aPartitions = shares.get(clientId("a"));
            assertThat(aPartitions).as("partitions of instance a: %s", shares).hasSize(PARTITIONS / 2);
            assertThat(shares.get(clientId("b")))
                    .as("partitions of instance b: %s", shares)
                    .hasSize(PARTITIONS / 2);

            // Both instances: a backlog of images, each partition a quarter of it.
            long sharedStart = System.nanoTime();
            send(producer, "shared", IMAGES_SHARED, jpegs);
            awaitSettled(outcomes, IMAGES_SHARED, a, b);
            Rate two = outcomes.rate(sharedStart, IMAGES_SHARED);
            assertThat(outcomes.partitionsClassified())
                    .as("outcomes from every partition")
                    .hasSize(PARTITIONS);

            // The kill: a second backlog, and instance a killed once part of it is done.
            send(producer, "kill", IMAGES_KILL, jpegs);
            awaitUntil(
                    () -> outcomes.settled() >= IMAGES_SHARED + IMAGES_KILL / 5,
                    () -> "a fifth of the second backlog",
                    a,
                    b);
            long killMillis = System.currentTimeMillis();
            long killNanos = System.nanoTime();
            a.kill();
            awaitSettled(outcomes, IMAGES_SHARED + IMAGES_KILL, b);
            long takeover = outcomes.firstPredictionAfter(aPartitions, killMillis) - killNanos;
            Set<Integer> bPartitions = new TreeSet<>(shares.get(clientId("b")));
            Duration bInvisible = outcomes.longestInvisible(bPartitions, killMillis);
            Rate survivorAlone = outcomes.rate(outcomes.firstPredictionAfter(aPartitions, killMillis), -1);
            assertThat(awaitAssignment(1, b).get(clientId("b")))
                    .as("the survivor owns every partition")
                    .hasSize(PARTITIONS);

            Duration sigterm = b.terminate(Duration.ofSeconds(60));
            assertThat(outcomes.drain(Duration.ofSeconds(60)))
                    .as("outputs read to their end")
                    .isTrue();

            System.out.printf(
                    "ScaleOutIT %s: %d partitions; instance a had %s%n"
                            + "  two instances    %s%n"
                            + "  SIGKILL a to the survivor's first prediction for a's partitions: %.1f s"
                            + " (transaction timeout %d ms)%n"
                            + "  after the kill, the survivor's predictions for its own partitions arrived up to %.1f s"
                            + " after they were made%n"
                            + "  survivor alone   %s%n"
                            + "  SIGTERM to exit  %.1f s%n",
                    stack.run,
                    PARTITIONS,
                    aPartitions,
                    two,
                    takeover / 1e9,
                    TRANSACTION_TIMEOUT_MS,
                    bInvisible.toMillis() / 1e3,
                    survivorAlone,
                    sigterm.toMillis() / 1e3);

            Map<String, Integer> perId = outcomes.perId();
            Set<String> sent = new TreeSet<>();
            sent.addAll(ids("shared", IMAGES_SHARED));
            sent.addAll(ids("kill", IMAGES_KILL));
            assertThat(perId.keySet()).as("ids with an outcome").isEqualTo(sent);
            assertThat(perId.entrySet().stream()
                            .filter(e -> e.getValue() > 1)
                            .map(Map.Entry::getKey)
                            .toList())
                    .as("ids with more than one outcome")
                    .isEmpty();
            assertThat(outcomes.deadLettered())
                    .as("dead letters (every image is valid)")
                    .isEmpty();
            assertThat(Duration.ofNanos(takeover)).as("takeover").isLessThanOrEqualTo(TAKEOVER_BOUND);
        } finally {
            deleteRecursively(aState);
            deleteRecursively(bState);
        }
    }

    private ServiceProcess start(String instance, Path stateDir) throws IOException {
        Map<String, String> settings = stack.serviceSettings(MODEL, stateDir.toString());
        settings.put("resnet.input-format", "raw");
        settings.put("quarkus.http.host", "127.0.0.1");
        // Names the instance in the group (its consumer is "<client.id>-StreamThread-1-consumer").
        settings.put("kafka-streams.client.id", clientId(instance));
        settings.put("kafka-streams.producer.transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT_MS));
        return ServiceProcess.start(
                StackClients.APP, settings, Path.of("target", "it-logs", stack.run + "-" + instance + ".log"));
    }

    /** The process id Kafka Streams keeps in an instance's state directory. */
    private String processId(Path stateDir) throws IOException {
        return new ObjectMapper()
                .readTree(stateDir.resolve(stack.run)
                        .resolve("kafka-streams-process-metadata")
                        .toFile())
                .path("processId")
                .asText();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private String clientId(String instance) {
        return stack.run + "-" + instance;
    }

    /**
     * Waits until the group is stable with {@code members} members that hold every images partition between them;
     * returns each instance's partitions by client id.
     */
    private Map<String, Set<Integer>> awaitAssignment(int members, ServiceProcess... alive) throws Exception {
        AtomicReference<Map<String, Set<Integer>>> last = new AtomicReference<>(Map.of());
        awaitUntil(
                () -> {
                    Map<String, Set<Integer>> shares = assignment();
                    last.set(shares);
                    return shares.size() == members
                            && shares.values().stream().mapToInt(Set::size).sum() == PARTITIONS
                            && shares.values().stream().noneMatch(Set::isEmpty);
                },
                () -> members + " members sharing the partitions (last seen: " + last.get() + ")",
                alive);
        return last.get();
    }

    private Map<String, Set<Integer>> assignment() {
        try (Admin admin = Admin.create(stack.props())) {
            ConsumerGroupDescription group =
                    admin.describeConsumerGroups(List.of(stack.run)).all().get().get(stack.run);
            if (group.groupState() != GroupState.STABLE) {
                return Map.of();
            }
            Map<String, Set<Integer>> shares = new HashMap<>();
            for (MemberDescription m : group.members()) {
                String instance = m.clientId().replace("-StreamThread-1-consumer", "");
                shares.put(
                        instance,
                        m.assignment().topicPartitions().stream()
                                .filter(tp -> tp.topic().equals(stack.images))
                                .map(TopicPartition::partition)
                                .collect(Collectors.toCollection(TreeSet::new)));
            }
            return shares;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            return Map.of(); // the group does not exist yet
        }
    }

    private void awaitSettled(Outcomes outcomes, int count, ServiceProcess... alive) throws Exception {
        awaitUntil(
                () -> outcomes.settled() >= count,
                () -> count + " ids with an outcome (" + outcomes.settled() + " so far)",
                alive);
    }

    private static void awaitUntil(BooleanSupplier done, Supplier<String> what, ServiceProcess... alive)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            for (ServiceProcess s : alive) {
                assertThat(s.alive()).as("service alive:\n%s", s.logTail()).isTrue();
            }
            assertThat(System.nanoTime()).as(() -> "waiting for " + what.get()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, String phase, int count, List<byte[]> jpegs) {
        List<String> ids = ids(phase, count);
        for (int i = 0; i < count; i++) {
            // round robin: each partition gets the same share
            producer.send(new ProducerRecord<>(stack.images, i % PARTITIONS, ids.get(i), jpegs.get(i % jpegs.size())));
        }
        producer.flush();
    }

    private List<String> ids(String phase, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(String.format("%s-%s-%05d", stack.run, phase, i));
        }
        return ids;
    }

    /** Small JPEGs of the shapes the default model knows; reused across ids (the verdict rests on ids). */
    private static List<byte[]> jpegs() {
        ShapesDataset shapes = new ShapesDataset(12);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            out.add(TestImages.encode(shapes.render(i, 64, 64).toBufferedImage(), "jpg"));
        }
        return out;
    }

    /** Images per second: {@code count} outcomes after the first one of a phase, {@code over} after it. */
    record Rate(int count, Duration over) {
        @Override
        public String toString() {
            return String.format(
                    "%d images in %.1f s: %.0f images/s", count, over.toMillis() / 1e3, count * 1e9 / over.toNanos());
        }
    }

    /**
     * Reads both output topics from their beginning with {@code read_committed}, as a downstream reader would:
     * outcomes per image id (keys), and when each prediction arrived, from which input partition and when it was
     * made.
     */
    private final class Outcomes implements AutoCloseable {
        private final Thread reader = new Thread(this::read, "scale-out-reader");
        private final Map<String, Integer> perId = new HashMap<>();
        private final List<Received> received = new ArrayList<>();
        private final List<String> deadLettered = new ArrayList<>();
        private volatile boolean drainRequested;
        private volatile boolean drained;
        private volatile RuntimeException failure;

        private record Received(long nanos, long millis, int partition, long predictedAtMillis) {}

        void start() {
            reader.setDaemon(true);
            reader.start();
        }

        synchronized int settled() {
            check();
            return perId.size();
        }

        synchronized Map<String, Integer> perId() {
            check();
            return new HashMap<>(perId);
        }

        synchronized List<String> deadLettered() {
            return List.copyOf(deadLettered);
        }

        synchronized Set<Integer> partitionsClassified() {
            return received.stream().map(Received::partition).collect(Collectors.toSet());
        }

        /** When the first prediction made after {@code afterMillis} for one of {@code partitions} arrived. */
        synchronized long firstPredictionAfter(Set<Integer> partitions, long afterMillis) {
            return received.stream()
                    .filter(r -> partitions.contains(r.partition()) && r.predictedAtMillis() > afterMillis)
                    .mapToLong(Received::nanos)
                    .min()
                    .orElseThrow(() -> new AssertionError("no prediction for " + partitions + " after the kill"));
        }

        /**
         * The pace of the predictions that arrived from {@code fromNanos} on ({@code expected} of them, or all if
         * -1), from the first to the last: the time to the first (start-up, pipeline latency) is not counted.
         */
        synchronized Rate rate(long fromNanos, int expected) {
            List<Long> times = received.stream()
                    .mapToLong(Received::nanos)
                    .filter(t -> t >= fromNanos)
                    .sorted()
                    .boxed()
                    .toList();
            int count = expected < 0 ? times.size() : expected;
            assertThat(times).as("predictions after the phase began").hasSizeGreaterThanOrEqualTo(Math.max(2, count));
            return new Rate(count - 1, Duration.ofNanos(times.get(count - 1) - times.get(0)));
        }

        /**
         * The longest time from a prediction being made (its {@code predictedAt}) to its arrival, among those made
         * after {@code afterMillis} on {@code partitions}: how long a committed outcome stayed invisible to
         * read_committed readers.
         */
        synchronized Duration longestInvisible(Set<Integer> partitions, long afterMillis) {
            return Duration.ofMillis(received.stream()
                    .filter(r -> partitions.contains(r.partition()) && r.predictedAtMillis() > afterMillis)
                    .mapToLong(r -> r.millis() - r.predictedAtMillis())
                    .max()
                    .orElse(0));
        }

        /** Reads on to the end of every partition (meaningful once no instance runs). */
        boolean drain(Duration timeout) throws InterruptedException {
            drainRequested = true;
            reader.join(timeout.toMillis());
            check();
            return drained;
        }

        private void check() {
            if (failure != null) {
                throw new IllegalStateException("the outcome reader failed", failure);
            }
        }

        private void read() {
            Properties p = stack.props();
            p.put("isolation.level", "read_committed");
            p.put("enable.auto.commit", "false");
            try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : List.of(stack.predictions, stack.deadLetters)) {
                    consumer.partitionsFor(topic, Duration.ofMinutes(1))
                            .forEach(pi -> partitions.add(new TopicPartition(topic, pi.partition())));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (!Thread.currentThread().isInterrupted()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        record(r, System.nanoTime());
                    }
                    if (drainRequested) {
                        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                        if (partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
                            drained = true;
                            return;
                        }
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // closed
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        private synchronized void record(ConsumerRecord<String, byte[]> r, long now) {
            perId.merge(r.key(), 1, Integer::sum);
            if (r.topic().equals(stack.predictions)) {
                Prediction prediction = predictions.deserialize(r.topic(), r.value());
                received.add(new Received(
                        now,
                        System.currentTimeMillis(),
                        prediction.getSource().getPartition(),
                        prediction.getPredictedAt().toEpochMilli()));
            } else {
                DeadLetter dead = deadLetters.deserialize(r.topic(), r.value());
                deadLettered.add(r.key() + ": " + dead.getReason());
            }
        }

        @Override
        public void close() {
            drainRequested = true;
            reader.interrupt();
        }
    }
}
