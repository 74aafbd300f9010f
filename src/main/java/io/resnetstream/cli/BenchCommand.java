package io.resnetstream.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.Classifier;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.topology.Pipeline;
import io.resnetstream.topology.PipelineConfig;
import io.resnetstream.topology.PipelineTopology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Throughput of the pipeline next to the bare model, at the same batch size, in one run:
 * (1) the bare forward pass on ready tensors, (2) decode + crops + forward in memory, (3) end to end
 * through Kafka (exactly-once, changelogged buffer, registry serdes) on fresh topics.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Images/s of the pipeline vs the bare model at the same batch size (needs the local stack for the end-to-end part).")
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--model", required = true, description = "SavedModel directory with manifest.json")
    String model;

    @Option(names = "--images", defaultValue = "64", description = "Images per measurement (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--batch", defaultValue = "16", description = "Images per forward pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--crop-scheme", defaultValue = "ten-crop", description = "ten-crop or center-crop (default: ${DEFAULT-VALUE})")
    String cropScheme;

    @Option(names = "--image-size", defaultValue = "320", description = "Side of the generated JPEGs (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the benchmark's input topic (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--no-kafka", description = "Skip the end-to-end measurement")
    boolean noKafka;

    @Override
    public Integer call() throws Exception {
        String run = "bench-" + System.currentTimeMillis();
        Map<String, String> values = new HashMap<>();
        values.put("resnet.model-dir", model);
        values.put("resnet.crop-scheme", cropScheme);
        values.put("resnet.max-batch-images", String.valueOf(batch));
        values.put("resnet.max-batch-delay-ms", "200");
        values.put("resnet.registry-url", kafka.registry);
        values.put("resnet.topic.images", run + "-images");
        values.put("resnet.topic.predictions", run + "-predictions");
        values.put("resnet.topic.dead-letters", run + "-dlq");
        PipelineConfig config = PipelineConfigs.load(values);
        List<SampleImages.Sample> samples = SampleImages.shapes(run, images, imageSize, 11);

        try (Pipeline pipeline = Pipeline.assemble(config, new SimpleMeterRegistry())) {
            BatchClassifier batchClassifier = pipeline.batchClassifier();
            Classifier classifier = batchClassifier.classifier();
            Preprocessor pre = batchClassifier.preprocessor();
            System.out.printf("model %s, %s (%d views/image), batch %d images = %d views, %d images%n",
                    classifier.manifest().name(), cropScheme, pre.views(), batch, batch * pre.views(), images);

            double bare = bareModel(classifier, pre);
            report("bare model (forward pass only)", bare, bare);
            double inMemory = inMemory(batchClassifier, samples);
            report("decode + crops + forward, in memory", inMemory, bare);
            if (!noKafka) {
                double endToEnd = endToEnd(pipeline, config, samples);
                report("pipeline end to end through Kafka", endToEnd, bare);
            }
        }
        return 0;
    }

    private static void report(String what, double imagesPerSecond, double bare) {
        System.out.printf("%-40s %9.1f images/s   ratio to bare model %.2f%n", what, imagesPerSecond,
                imagesPerSecond / bare);
    }

    private double bareModel(Classifier classifier, Preprocessor pre) {
        float[] input = new float[batch * pre.floatsPerImage()];
        Random random = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = random.nextFloat() * 255 - 128;
        }
        int views = batch * pre.views();
        classifier.classify(input, views); // warm-up: the first pass compiles kernels
        int rounds = Math.max(1, images / batch);
        long start = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            classifier.classify(input, views);
        }
        return rounds * batch / seconds(start);
    }

    private double inMemory(BatchClassifier classifier, List<SampleImages.Sample> samples) {
        List<byte[]> bytes = samples.stream().map(SampleImages.Sample::bytes).toList();
        classifier.classify(bytes.subList(0, Math.min(batch, bytes.size())));
        long start = System.nanoTime();
        for (int i = 0; i < bytes.size(); i += batch) {
            classifier.classify(bytes.subList(i, Math.min(bytes.size(), i + batch)));
        }
        return bytes.size() / seconds(start);
    }

    private double endToEnd(Pipeline pipeline, PipelineConfig config, List<SampleImages.Sample> samples)
            throws Exception {
        Properties admin = kafka.clientProperties();
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic(config.topic().images(), partitions, (short) 1),
                    new NewTopic(config.topic().predictions(), 1, (short) 1),
                    new NewTopic(config.topic().deadLetters(), 1, (short) 1))).all().get();
        }
        Properties streamsProps = kafka.clientProperties();
        streamsProps.put(StreamsConfig.APPLICATION_ID_CONFIG, config.topic().images() + "-app");
        streamsProps.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        streamsProps.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        streamsProps.put(StreamsConfig.STATE_DIR_CONFIG,
                System.getProperty("java.io.tmpdir") + "/resnet-stream-bench/" + config.topic().images());
        streamsProps.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        streamsProps.put(StreamsConfig.consumerPrefix("max.partition.fetch.bytes"), 26214400);
        Properties consumerProps = kafka.clientProperties();
        consumerProps.put("group.id", config.topic().predictions() + "-reader");
        consumerProps.put("isolation.level", "read_committed");
        consumerProps.put("auto.offset.reset", "earliest");
        try (KafkaStreams streams = new KafkaStreams(pipeline.topology(), streamsProps);
                var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
                var producer = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(),
                        new ByteArraySerializer())) {
            streams.start();
            waitRunning(streams);
            consumer.subscribe(List.of(config.topic().predictions(), config.topic().deadLetters()));
            consumer.poll(Duration.ofMillis(100));
            var events = new AvroSerde<>(kafka.registryClient(), ImageEvent.class, true, false).serializer();
            long start = System.nanoTime();
            for (SampleImages.Sample s : samples) {
                byte[] event = events.serialize(config.topic().images(), ProduceCommand.event(s));
                producer.send(new ProducerRecord<>(config.topic().images(), s.id(), event));
            }
            producer.flush();
            Set<String> seen = new HashSet<>();
            long deadline = System.currentTimeMillis() + 30 * 60_000L;
            while (seen.size() < samples.size() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.key()));
            }
            double rate = seen.size() / seconds(start);
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
            reportChangelogBytes(config.topic().images(),
                    streamsProps.get(StreamsConfig.APPLICATION_ID_CONFIG) + "-" + PipelineTopology.BUFFER_STORE
                            + "-changelog");
            return rate;
        }
    }

    /** The price of exactly-once buffering: bytes the changelog holds next to the input's bytes. */
    private void reportChangelogBytes(String input, String changelog) throws Exception {
        try (Admin a = Admin.create(kafka.clientProperties())) {
            Map<String, Long> bytes = new HashMap<>();
            List<Integer> brokers = a.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
            a.describeLogDirs(brokers).allDescriptions().get().values().forEach(dirs -> dirs.values()
                    .forEach(dir -> dir.replicaInfos().forEach((tp, info) -> bytes.merge(tp.topic(), info.size(),
                            Long::sum))));
            long in = bytes.getOrDefault(input, 0L);
            long log = bytes.getOrDefault(changelog, 0L);
            System.out.printf("buffer changelog: %,d bytes for %,d input bytes (%.2f×, compressed with zstd)%n", log, in,
                    in == 0 ? 0.0 : (double) log / in);
        }
    }

    private static void waitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING: " + streams.state());
            }
            Thread.sleep(100);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
