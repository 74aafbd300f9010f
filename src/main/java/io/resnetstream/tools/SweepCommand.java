package io.resnetstream.tools;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.inference.Classifier;
import io.resnetstream.topology.ResnetConfig;

/**
 * Latency against load, in the spirit of Triton's perf_analyzer: the pipeline's capacity first (or {@code --capacity}),
 * then a paced open-loop load from 10% to 120% of it, and for each step the throughput, the latency from produce (the
 * input record's timestamp) to the outcome read by a read_committed consumer (at its poll), and the mean batch formed.
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = "Latency percentiles and batch size against offered load, end to end through Kafka "
                + "(a table and a PNG chart; needs the broker and the registry).")
public final class SweepCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--model", required = true, description = "SavedModel directory with manifest.json")
    String model;

    @Option(
            names = "--batch",
            defaultValue = ResnetConfig.Batch.DEFAULT_MAX_IMAGES,
            description = "resnet.batch.max-images (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--max-delay", description = "resnet.batch.max-delay, e.g. 100ms (default: as configured)")
    String maxDelay;

    @Option(names = "--batches-in-flight", description = "resnet.batch.in-flight (default: as configured)")
    Integer batchesInFlight;

    @Mixin
    GeneratedImagesOptions generated;

    @Option(
            names = "--capacity",
            paramLabel = "IMAGES_PER_S",
            description = "The pipeline's capacity; measured with a burst of --capacity-images when not given")
    Double capacity;

    @Option(
            names = "--capacity-images",
            defaultValue = "256",
            description = "Images sent at once to measure the capacity (default: ${DEFAULT-VALUE})")
    int capacityImages;

    @Option(
            names = "--warm-up",
            defaultValue = "256",
            description = "Images sent at once before the capacity burst, so that the burst and the steps meet the "
                    + "pipeline as a running service is, its code compiled (at least two batches; default: "
                    + "${DEFAULT-VALUE})")
    int warmUp;

    @Option(names = "--steps", defaultValue = "12", description = "Load steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(
            names = "--from",
            defaultValue = "0.1",
            description = "Lowest offered load, a fraction of capacity (default: ${DEFAULT-VALUE})")
    double from;

    @Option(
            names = "--to",
            defaultValue = "1.2",
            description = "Highest offered load, a fraction of capacity (default: ${DEFAULT-VALUE})")
    double to;

    @Option(
            names = "--step-seconds",
            defaultValue = "10",
            description = "Seconds of sending per step (default: ${DEFAULT-VALUE})")
    double stepSeconds;

    @Option(
            names = "--chart",
            defaultValue = "target/bench-sweep.png",
            description = "Where the PNG chart goes (default: ${DEFAULT-VALUE})")
    Path chart;

    @Option(
            names = "--simulate-accelerator",
            paramLabel = "VIEWS_PER_S",
            description = "Replace the forward pass by a wait of views ÷ VIEWS_PER_S, as `bench` does")
    Double simulatedViewsPerSecond;

    /** How long a step may take beyond its sending time before its missing outcomes are reported as missing. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);

    private static final int DISTINCT_IMAGES = 64;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (steps < 1 || stepSeconds <= 0 || capacityImages < 1 || (capacity != null && capacity <= 0)) {
            throw new IllegalArgumentException("--steps, --step-seconds, --capacity-images and --capacity must be > 0");
        }
        List<Double> loads = LoadSweep.loads(steps, from, to); // refuses a bad range before any work
        String run = "sweep-" + System.currentTimeMillis();
        Map<String, String> settings = new HashMap<>(Map.of(
                "resnet.model.dir",
                model,
                "resnet.model.crop-scheme",
                generated.cropScheme,
                "resnet.batch.max-images",
                String.valueOf(batch)));
        if (maxDelay != null) {
            settings.put("resnet.batch.max-delay", maxDelay);
        }
        if (batchesInFlight != null) {
            settings.put("resnet.batch.in-flight", String.valueOf(batchesInFlight));
        }
        UnaryOperator<Classifier> device = simulatedViewsPerSecond == null
                ? UnaryOperator.identity()
                : m -> new SimulatedAccelerator(m, simulatedViewsPerSecond);
        List<SampleImages.Sample> pool = SampleImages.shapes(run, DISTINCT_IMAGES, generated.imageSize, 11);
        try (LocalPipeline local = new LocalPipeline(kafka, run, settings, device)) {
            ResnetConfig.Batch b = local.config().batch();
            String setup = String.format(
                    "%s, %s, batch ≤ %d, max-delay %d ms, %d in flight, %d generated.partitions, %d×%d JPEGs",
                    local.pipeline().batchClassifier().classifier().manifest().name(),
                    generated.cropScheme,
                    b.maxImages(),
                    b.maxDelay().toMillis(),
                    b.inFlight(),
                    generated.partitions,
                    generated.imageSize,
                    generated.imageSize);
            System.out.println("sweep started " + Instant.now() + ": " + setup);
            local.start(generated.partitions);
            try (Load load = new Load(local, pool)) {
                load.step(0, Math.max(warmUp, 2 * b.maxImages()), Double.POSITIVE_INFINITY);
                LoadSweep.Step burst = load.step(1.0, capacityImages, Double.POSITIVE_INFINITY);
                double cap = capacity != null ? capacity : burst.achieved();
                System.out.printf(
                        "capacity %.1f images/s (%s); a burst of %d: batches of %.1f images on average, %.0f ms each%n",
                        cap,
                        capacity != null ? "given" : "measured: the burst's drain rate",
                        capacityImages,
                        burst.meanBatch(),
                        burst.meanInferenceMs());
                List<LoadSweep.Step> measured = new ArrayList<>();
                for (double l : loads) {
                    double rate = l * cap;
                    int images = Math.max(1, (int) Math.round(rate * stepSeconds));
                    LoadSweep.Step s = load.step(l, images, rate);
                    measured.add(s);
                    System.out.printf(
                            "  %3.0f%%: offered %.1f/s achieved %.1f/s p50 %d p95 %d p99 %d ms, mean batch %.1f%n",
                            l * 100, s.offered(), s.achieved(), s.p50(), s.p95(), s.p99(), s.meanBatch());
                }
                System.out.println();
                System.out.print(LoadSweep.table(measured));
                System.out.printf(
                        "goal at 50%% load: p99 ≤ max-delay + 2 × a burst batch's time = %d + 2 × %.0f = %.0f ms%n",
                        b.maxDelay().toMillis(),
                        burst.meanInferenceMs(),
                        b.maxDelay().toMillis() + 2 * burst.meanInferenceMs());
                LoadSweep.chart(measured, setup, chart);
                System.out.println("chart written to " + chart.toAbsolutePath());
                System.out.println("sweep ended " + Instant.now());
                return measured.stream().allMatch(s -> s.outcomes() == s.sent()) ? 0 : 1;
            }
        }
    }

    /**
     * A paced producer on the input topic and, on a thread of its own, a read_committed consumer of both output
     * topics that stamps each outcome with its poll time.
     */
    private static final class Load implements AutoCloseable {
        private final LocalPipeline local;
        private final List<SampleImages.Sample> pool;
        private final Serializer<ImageEvent> events;
        private final Deserializer<Prediction> predictions;
        private final KafkaProducer<String, byte[]> producer;
        private final Thread reader;
        private volatile boolean stop;
        private volatile RuntimeException readerFailure;
        /** id → record timestamp of the images of the current step */
        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        /** id → what its outcome showed */
        private final Map<String, Seen> seen = new ConcurrentHashMap<>();

        private int sequence;

        /** @param batchImages 0 for a dead letter, as are the timings */
        private record Seen(long latencyMs, long polledAt, int batchImages, long queuedMs, long batchMs) {}

        Load(LocalPipeline local, List<SampleImages.Sample> pool) {
            this.local = local;
            this.pool = pool;
            this.events = local.eventSerializer();
            this.predictions = local.predictionDeserializer();
            this.producer = local.producer();
            this.reader = new Thread(this::read, "sweep-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            Properties props = local.outcomeConsumerProperties();
            props.put("enable.auto.commit", "false");
            props.put("fetch.max.wait.ms", "10"); // the poll time is the measurement: answer fetches promptly
            String predictionsTopic = local.config().topics().predictions();
            try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> outputs = List.of(
                        new TopicPartition(predictionsTopic, 0),
                        new TopicPartition(local.config().topics().deadLetters(), 0));
                consumer.assign(outputs); // LocalPipeline creates both with one partition
                consumer.seekToBeginning(outputs);
                while (!stop) {
                    var records = consumer.poll(Duration.ofMillis(50));
                    long polledAt = System.currentTimeMillis();
                    for (ConsumerRecord<String, byte[]> r : records) {
                        Long sent = r.key() == null ? null : sentAt.get(r.key());
                        if (sent == null) {
                            continue; // not one of ours, or of an earlier step
                        }
                        Seen outcome = new Seen(polledAt - sent, polledAt, 0, 0, 0);
                        if (r.topic().equals(predictionsTopic)) {
                            var timings = predictions
                                    .deserialize(r.topic(), r.value())
                                    .getTimings();
                            outcome = new Seen(
                                    polledAt - sent,
                                    polledAt,
                                    timings.getBatchImages(),
                                    timings.getQueuedMs(),
                                    timings.getBatchInferenceMs());
                        }
                        seen.putIfAbsent(r.key(), outcome);
                    }
                }
            } catch (RuntimeException e) {
                readerFailure = e;
            }
        }

        /**
         * Sends {@code images} at {@code rate} per second (all at once when infinite), waits for all their outcomes,
         * and measures them.
         */
        LoadSweep.Step step(double load, int images, double rate) throws InterruptedException {
            sentAt.clear();
            seen.clear();
            long intervalNanos = Double.isInfinite(rate) ? 0 : (long) (1e9 / rate);
            long start = System.nanoTime();
            long lastSent = start;
            String topic = local.config().topics().images();
            for (int i = 0; i < images; i++) {
                long due = start + i * intervalNanos;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                SampleImages.Sample base = pool.get(sequence % pool.size());
                String id = "sweep-" + sequence++ + "-" + base.truth();
                byte[] event = events.serialize(
                        topic, ProduceCommand.event(new SampleImages.Sample(id, base.truth(), base.bytes())));
                long now = System.currentTimeMillis();
                sentAt.put(id, now);
                producer.send(new ProducerRecord<>(topic, null, now, id, event));
                lastSent = System.nanoTime();
            }
            producer.flush();
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            while (seen.size() < images && System.nanoTime() < deadline) {
                if (readerFailure != null) {
                    throw readerFailure;
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            LoadSweep.Latencies latencies = new LoadSweep.Latencies();
            List<Seen> outcomes = List.copyOf(seen.values());
            long[] polledAt = new long[outcomes.size()];
            long batchSum = 0;
            long queuedSum = 0;
            long batchMsSum = 0;
            int predicted = 0;
            for (int i = 0; i < polledAt.length; i++) {
                Seen s = outcomes.get(i);
                latencies.add(s.latencyMs());
                polledAt[i] = s.polledAt();
                if (s.batchImages() > 0) {
                    batchSum += s.batchImages();
                    queuedSum += s.queuedMs();
                    batchMsSum += s.batchMs();
                    predicted++;
                }
            }
            return LoadSweep.Step.of(
                    load,
                    images,
                    (lastSent - start) / 1e9,
                    polledAt,
                    latencies,
                    predicted == 0 ? 0 : (double) batchSum / predicted,
                    predicted == 0 ? 0 : (double) queuedSum / predicted,
                    predicted == 0 ? 0 : (double) batchMsSum / predicted);
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            reader.join(10_000);
            producer.close(Duration.ofSeconds(10));
        }
    }
}
