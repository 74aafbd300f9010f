package io.resnetstream.tools;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import io.resnetstream.contracts.Prediction;
import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.ImageDecoder;
import io.resnetstream.imaging.ImageLimits;
import io.resnetstream.imaging.JpegDecoding;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ViewPlacement;
import io.resnetstream.outcome.RejectedInputException;
import io.resnetstream.topology.ResnetConfig;

/**
 * Throughput of the pipeline next to the bare model, at the same batch size, in one run:
 * (1) the bare forward pass on ready tensors, (2) decode + crops alone on one thread (how many cores feed the
 * model), (3) decode + crops + forward in memory, (4) end to end through Kafka (exactly-once, changelogged
 * buffer, registry serdes) on fresh topics. Parts (2) and (3) run for both {@link ViewPlacement}s, with the bytes
 * each hands to the model per image, and (2) also at the paper's sizes (S 256, crop 224) whatever the model.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Images/s of the pipeline vs the bare model at the same batch size (the end-to-end part needs the local stack).",
        subcommands = SweepCommand.class)
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    // Checked in call(), not by picocli: a required option here would be demanded of `bench sweep` too.
    @Option(names = "--model", description = "SavedModel directory with manifest.json (required)")
    String model;

    @Option(names = "--images", defaultValue = "64", description = "Images per measurement (default: ${DEFAULT-VALUE})")
    int images;

    @Option(
            names = "--batch",
            defaultValue = ResnetConfig.Batch.DEFAULT_MAX_IMAGES,
            description = "Images per forward pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Mixin
    GeneratedImagesOptions generated;

    @Option(
            names = "--preprocessing-images",
            defaultValue = "400",
            description = "Images per round of the host-preprocessing comparison at least, the samples repeated "
                    + "(default: ${DEFAULT-VALUE})")
    int preprocessingImages;

    @Option(
            names = "--photo-size",
            defaultValue = "2048",
            description = "Side of the large JPEGs the decode comparison also times, as a camera's photos would be; "
                    + "0 skips them (default: ${DEFAULT-VALUE})")
    int photoSize;

    @Option(names = "--no-kafka", description = "Skip the end-to-end measurement")
    boolean noKafka;

    @Option(
            names = "--warm-up",
            defaultValue = "256",
            description = "Images sent end to end before the measured ones, so that the measurement sees the pipeline "
                    + "as a running service is (its Kafka, Avro and store code compiled, its group joined); the warm-up's "
                    + "own rate is printed as the cold start (default: ${DEFAULT-VALUE})")
    int warmUp;

    @Option(
            names = "--batches-in-flight",
            split = ",",
            description =
                    "Run end to end once per value, e.g. 0,2 " + "(default: resnet.batch.in-flight as configured)")
    List<Integer> batchesInFlight = List.of();

    @Option(
            names = "--simulate-accelerator",
            paramLabel = "VIEWS_PER_S",
            description = "Replace the forward pass by "
                    + "a wait of views ÷ VIEWS_PER_S that leaves the CPU free, as a GPU would: the CPU-side stages measured "
                    + "against a device faster than this CPU (uniform outputs; no accuracy)")
    Double simulatedViewsPerSecond;

    @Override
    public Integer call() throws Exception {
        if (model == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--model=<model>'");
        }
        String run = "bench-" + System.currentTimeMillis();
        List<SampleImages.Sample> samples = SampleImages.shapes(run, images, generated.imageSize, 11);
        UnaryOperator<Classifier> device = simulatedViewsPerSecond == null
                ? UnaryOperator.identity()
                : model -> new SimulatedAccelerator(model, simulatedViewsPerSecond);
        // the clock sits outside the device, so it times what the pipeline waits for: the model or its stand-in
        ModelClock[] clock = new ModelClock[1];
        UnaryOperator<Classifier> clocked = m -> clock[0] = new ModelClock(device.apply(m));
        List<Map<String, String>> runs = new ArrayList<>();
        // null: one run with resnet.batch.in-flight as configured (List.of refuses a null element)
        for (Integer n : batchesInFlight.isEmpty() ? Collections.singletonList((Integer) null) : batchesInFlight) {
            Map<String, String> settings = new HashMap<>(Map.of(
                    "resnet.model.dir",
                    model,
                    "resnet.model.crop-scheme",
                    generated.cropScheme,
                    "resnet.batch.max-images",
                    String.valueOf(batch)));
            if (n != null) {
                settings.put("resnet.batch.in-flight", String.valueOf(n));
            }
            runs.add(settings);
        }
        double bare = Double.NaN;
        for (int r = 0; r < runs.size(); r++) {
            try (LocalPipeline local = new LocalPipeline(kafka, run + "-" + r, runs.get(r), clocked)) {
                if (r == 0) {
                    bare = inMemoryFigures(local, samples);
                }
                if (!noKafka) {
                    endToEnd(local, samples, bare, clock[0]);
                }
            }
        }
        return 0;
    }

    /** The bare model, the CPU-side stage alone and both together, in memory; returns the bare model's images/s. */
    private double inMemoryFigures(LocalPipeline local, List<SampleImages.Sample> samples) throws Exception {
        BatchClassifier batchClassifier = local.pipeline().batchClassifier();
        Classifier classifier = batchClassifier.classifier();
        Preprocessor pre = batchClassifier.preprocessor();
        System.out.printf(
                "model %s%s, %s (%d views/image), batch %d images = %d views, %d images of %d×%d%n",
                classifier.manifest().name(),
                simulatedViewsPerSecond == null
                        ? ""
                        : String.format(" as a simulated accelerator of %.0f views/s", simulatedViewsPerSecond),
                generated.cropScheme,
                pre.views(),
                batch,
                batch * pre.views(),
                images,
                generated.imageSize,
                generated.imageSize);
        double bare = bareModel(classifier, pre);
        report("bare model (forward pass only)", bare, bare);
        double perCore = preprocessingOnOneThread(batchClassifier, samples);
        report("decode + crops only, one thread", perCore, bare);
        System.out.printf("%-48s %9.2f cores keep this model busy%n", "  so", bare / perCore);
        report("decode + crops + forward, in memory", inMemory(batchClassifier, samples), bare);
        viewPlacements(batchClassifier, local.config().batch().preprocessThreads(), samples, bare);
        return bare;
    }

    /**
     * The views made on the host (floats) against the views made in the engine (the host decodes and resizes):
     * host preprocessing per image on one thread, bytes handed to the model per image, and decode + views + forward
     * in memory, for the model's sizes; then the host part alone at the paper's sizes. The two placements take turns,
     * {@value #ROUNDS} rounds, and the best round of each counts, so a neighbour's load on a shared machine weighs on
     * both alike.
     */
    private void viewPlacements(
            BatchClassifier configured, int threads, List<SampleImages.Sample> samples, double bare) {
        Preprocessor pre = configured.preprocessor();
        System.out.printf(
                "views on the host vs in the engine (%s, best of %d rounds each):%n", generated.cropScheme, ROUNDS);
        hostPreprocessing(configured.decoder(), pre, samples);
        try (BatchClassifier host = withPlacement(configured, threads, ViewPlacement.HOST);
                BatchClassifier engine = withPlacement(configured, threads, ViewPlacement.ENGINE)) {
            double[] best = {0, 0};
            for (int r = 0; r < ROUNDS; r++) {
                best[0] = Math.max(best[0], inMemory(host, samples));
                best[1] = Math.max(best[1], inMemory(engine, samples));
            }
            report("  decode + views + forward, views on the host", best[0], bare);
            report("  decode + views + forward, views in the engine", best[1], bare);
        }
        Preprocessor paper = new Preprocessor(256, 224, CropScheme.parse(generated.cropScheme), Normalization.CAFFE);
        System.out.printf("the same at the paper's sizes (S 256, crop 224; host side only, no model):%n");
        hostPreprocessing(configured.decoder(), paper, samples);
        System.out.printf(
                "JPEG decode + resize to S, one thread, decoded at full size vs scaled (resnet.model.jpeg-decoding):%n");
        jpegDecoding(samples, pre.resizeShorter());
        jpegDecoding(samples, 256);
        if (photoSize > 0) {
            jpegDecoding(SampleImages.shapes("photo", 4, photoSize, 5), 256);
        }
    }

    /** Decode + resize per image on one thread, JPEGs decoded at full size and scaled, best of {@link #ROUNDS}. */
    private void jpegDecoding(List<SampleImages.Sample> samples, int shorterSide) {
        ImageDecoder full = new ImageDecoder(ImageLimits.defaults(), JpegDecoding.FULL);
        ImageDecoder scaled = new ImageDecoder(ImageLimits.defaults(), JpegDecoding.SCALED);
        int passes = Math.max(1, (preprocessingImages + samples.size() - 1) / samples.size());
        if (samples.get(0).bytes().length > 1 << 20) {
            passes = 1; // a large photo takes tens of milliseconds already
        }
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        try {
            int size = full.probe(samples.get(0).bytes()).width();
            for (int r = 0; r < ROUNDS; r++) {
                for (int k = 0; k < 2; k++) {
                    ImageDecoder decoder = k == 0 ? full : scaled;
                    long start = System.nanoTime();
                    for (int p = 0; p < passes; p++) {
                        for (SampleImages.Sample sample : samples) {
                            decoder.decodeResized(sample.bytes(), shorterSide);
                        }
                    }
                    best[k] = Math.min(best[k], (System.nanoTime() - start) / 1e6 / (passes * samples.size()));
                }
            }
            System.out.printf(
                    "  %d² JPEG to S %d: full %.3f ms, scaled %.3f ms per image: %.1f× less%n",
                    size, shorterSide, best[0], best[1], best[0] / best[1]);
        } catch (RejectedInputException e) {
            throw new IllegalStateException("a generated sample was rejected", e);
        }
    }

    private static final int ROUNDS = 3;

    private static BatchClassifier withPlacement(BatchClassifier configured, int threads, ViewPlacement placement) {
        return new BatchClassifier(
                configured.classifier(), configured.decoder(), configured.preprocessor(), 1, threads, placement);
    }

    /**
     * Host preprocessing per image on one thread, and the bytes each way hands to the model: the earlier path (decoded
     * at full size, float views made on the host) against the engine's (decoded resized: with the configured
     * {@link JpegDecoding}, a JPEG at a reduced scale). Since the host placement decodes resized too, the first figure
     * is what the pipeline did before, not what {@code views-on=host} does now.
     */
    private void hostPreprocessing(ImageDecoder decoder, Preprocessor pre, List<SampleImages.Sample> samples) {
        float[] views = new float[pre.floatsPerImage()];
        long resizedBytes = 0;
        double[] wall = {Double.MAX_VALUE, Double.MAX_VALUE};
        double[] cpu = {Double.MAX_VALUE, Double.MAX_VALUE};
        // passes over the samples per round, so that a round holds enough images for the CPU clock's resolution
        int passes = Math.max(1, (preprocessingImages + samples.size() - 1) / samples.size());
        int perRound = passes * samples.size();
        try {
            for (int r = 0; r < ROUNDS; r++) {
                long start = System.nanoTime();
                long startCpu = processCpuNanos();
                for (int p = 0; p < passes; p++) {
                    for (SampleImages.Sample sample : samples) {
                        pre.writeViews(decoder.decode(sample.bytes()), views, 0);
                    }
                }
                wall[0] = Math.min(wall[0], (System.nanoTime() - start) / 1e6 / perRound);
                cpu[0] = Math.min(cpu[0], (processCpuNanos() - startCpu) / 1e6 / perRound);
                start = System.nanoTime();
                startCpu = processCpuNanos();
                resizedBytes = 0;
                for (int p = 0; p < passes; p++) {
                    for (SampleImages.Sample sample : samples) {
                        DecodedImage resized = decoder.decodeResized(sample.bytes(), pre.resizeShorter());
                        resizedBytes += resized.rgb().length;
                    }
                }
                wall[1] = Math.min(wall[1], (System.nanoTime() - start) / 1e6 / perRound);
                cpu[1] = Math.min(cpu[1], (processCpuNanos() - startCpu) / 1e6 / perRound);
            }
        } catch (RejectedInputException e) {
            throw new IllegalStateException("a generated sample was rejected", e);
        }
        long floatBytes = 4L * pre.floatsPerImage();
        double uint8Bytes = (double) resizedBytes / perRound;
        System.out.printf(
                "  S %d, crop %d: host preprocessing per image, one thread: decoded in full and views on the host (the earlier"
                        + " path) %.3f ms (process CPU %.3f ms),"
                        + " in the engine %.3f ms (process CPU %.3f ms): %.2f× the time (%.0f%% less), %.2f× the CPU"
                        + " (%.0f%% less)%n",
                pre.resizeShorter(),
                pre.cropSize(),
                wall[0],
                cpu[0],
                wall[1],
                cpu[1],
                wall[1] / wall[0],
                100 * (1 - wall[1] / wall[0]),
                cpu[1] / cpu[0],
                100 * (1 - cpu[1] / cpu[0]));
        System.out.printf(
                "  S %d, crop %d: bytes handed to the model per image: %,d (float views) vs %,.0f (uint8 resized): %.1f× fewer%n",
                pre.resizeShorter(), pre.cropSize(), floatBytes, uint8Bytes, floatBytes / uint8Bytes);
    }

    /** CPU time of every thread of this process (OpenCV's and TensorFlow's own threads included). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * A cold start (the warm-up images through the fresh pipeline), then the measured images: their rate, whether the
     * model waited on the pipeline (its busy share of the wall time; the time to the first forward pass and after the
     * last), where this process's CPU went, the batches formed and the changelog's bytes.
     */
    private void endToEnd(LocalPipeline local, List<SampleImages.Sample> samples, double bare, ModelClock clock)
            throws Exception {
        local.start(generated.partitions);
        String inFlight = local.config().batch().inFlight() + " in flight";
        if (warmUp > 0) {
            List<SampleImages.Sample> warm =
                    SampleImages.shapes("warm-up-" + System.currentTimeMillis(), warmUp, generated.imageSize, 13);
            long start = System.nanoTime();
            local.classify(warm, Duration.ofMinutes(30));
            report("cold start: " + warmUp + " images through the fresh pipeline", warmUp / seconds(start), bare);
        }
        clock.reset();
        CpuByThread cpu = CpuByThread.start();
        long start = System.nanoTime();
        long[] allSeen = new long[1];
        List<Prediction> predictions = local.classify(samples, Duration.ofMinutes(30), () -> {
            allSeen[0] = System.nanoTime();
            cpu.print(samples.size());
        });
        double wall = (allSeen[0] - start) / 1e9;
        report("pipeline end to end through Kafka, " + inFlight, samples.size() / wall, bare);
        ModelClock.Reading model = clock.read();
        System.out.printf(
                "model busy %.1f of %.1f s (%.0f%%) in %d calls; first forward pass %.0f ms after the first send, the last"
                        + " outcome read %.0f ms after the last pass%n",
                model.busyNanos() / 1e9,
                wall,
                100 * model.busyNanos() / 1e9 / wall,
                model.calls(),
                (model.firstStartNanos() - start) / 1e6,
                (allSeen[0] - model.lastEndNanos()) / 1e6);
        System.out.printf(
                "batches formed: %.1f images on average (max %d)%n",
                predictions.stream()
                        .mapToInt(p -> p.getTimings().getBatchImages())
                        .average()
                        .orElse(0),
                batch);
        long[] bytes = local.inputAndChangelogBytes();
        System.out.printf(
                "buffer changelog on the broker: %,d bytes for %,d input bytes (%.2f×)%n",
                bytes[1], bytes[0], bytes[0] == 0 ? 0.0 : (double) bytes[1] / bytes[0]);
    }

    private static void report(String what, double imagesPerSecond, double bare) {
        System.out.printf(
                "%-48s %9.1f images/s   ratio to bare model %.2f%n", what, imagesPerSecond, imagesPerSecond / bare);
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
        long startCpu = processCpuNanos();
        for (int r = 0; r < rounds; r++) {
            classifier.classify(input, views);
        }
        double wall = seconds(start);
        System.out.printf(
                "bare model: process CPU %.2f ms per image, %.2f of %d cores busy%n",
                (processCpuNanos() - startCpu) / 1e6 / (rounds * batch),
                (processCpuNanos() - startCpu) / 1e9 / wall,
                Runtime.getRuntime().availableProcessors());
        return rounds * batch / wall;
    }

    /** The CPU-side stage alone, on one core: what sizes the cores that must feed an accelerator. */
    private static double preprocessingOnOneThread(BatchClassifier classifier, List<SampleImages.Sample> samples)
            throws RejectedInputException {
        Preprocessor pre = classifier.preprocessor();
        float[] views = new float[pre.floatsPerImage()];
        long start = System.nanoTime();
        for (SampleImages.Sample sample : samples) {
            pre.writeViews(classifier.decoder().decode(sample.bytes()), views, 0);
        }
        return samples.size() / seconds(start);
    }

    private double inMemory(BatchClassifier classifier, List<SampleImages.Sample> samples) {
        List<byte[]> bytes = samples.stream().map(SampleImages.Sample::bytes).toList();
        long start = System.nanoTime();
        for (int i = 0; i < bytes.size(); i += batch) {
            classifier.classify(bytes.subList(i, Math.min(bytes.size(), i + batch)));
        }
        return bytes.size() / seconds(start);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
