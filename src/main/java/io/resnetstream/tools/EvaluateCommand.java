package io.resnetstream.tools;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.resnetstream.contracts.Prediction;
import io.resnetstream.topology.ResnetConfig;

/**
 * Held-out accuracy of a shapes model through the real pipeline (Kafka, registry, buffer, batching),
 * once per crop scheme, on images generated with a seed the training never used.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description =
                "Held-out accuracy of a shapes model through the pipeline, centre-crop vs ten-crop (needs the local stack).")
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--model",
            defaultValue = ResnetConfig.Model.DEFAULT_DIR,
            description = "Model directory (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--images", defaultValue = "800", description = "Held-out images (default: ${DEFAULT-VALUE})")
    int images;

    @Option(
            names = "--seed",
            defaultValue = "20261128",
            description = "Seed of the held-out images (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--image-size",
            defaultValue = "96",
            description = "Side of the generated JPEGs (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(
            names = "--schemes",
            split = ",",
            defaultValue = "center-crop,ten-crop",
            description = "Crop schemes (default: ${DEFAULT-VALUE})")
    List<String> schemes;

    @Override
    public Integer call() throws Exception {
        String run = "eval-" + System.currentTimeMillis();
        List<SampleImages.Sample> samples = SampleImages.shapes(run, images, imageSize, seed);
        double first = Double.NaN;
        for (String scheme : schemes) {
            try (LocalPipeline local = new LocalPipeline(
                    kafka, run + "-" + scheme, Map.of("resnet.model.dir", model, "resnet.model.crop-scheme", scheme))) {
                local.start(3);
                long start = System.nanoTime();
                List<Prediction> predictions = local.classify(samples, Duration.ofMinutes(30));
                double seconds = (System.nanoTime() - start) / 1e9;
                long right = predictions.stream()
                        .filter(p -> SampleImages.truthOf(p.getImageId())
                                .equals(p.getTopK().get(0).getLabel()))
                        .count();
                double accuracy = 100.0 * right / samples.size();
                double votes = predictions.stream()
                        .mapToInt(Prediction::getTopCropVotes)
                        .average()
                        .orElse(0);
                System.out.printf(
                        "%-12s accuracy %6.2f%% (%d/%d)   mean crop agreement %.2f/%d   %.1f images/s%n",
                        scheme,
                        accuracy,
                        right,
                        samples.size(),
                        votes,
                        predictions.isEmpty() ? 0 : predictions.get(0).getCropsAveraged(),
                        samples.size() / seconds);
                System.out.printf("%-12s mistakes (true -> predicted): %s%n", "", mistakes(predictions));
                if (Double.isNaN(first)) {
                    first = accuracy;
                } else {
                    System.out.printf("%-12s %+.2f points over %s%n", scheme, accuracy - first, schemes.get(0));
                }
            }
        }
        return 0;
    }

    /** The most frequent confusions, e.g. {@code hexagon->circle 5, star->cross 2}. */
    private static String mistakes(List<Prediction> predictions) {
        Map<String, Long> counts = predictions.stream()
                .filter(p -> !SampleImages.truthOf(p.getImageId())
                        .equals(p.getTopK().get(0).getLabel()))
                .collect(Collectors.groupingBy(
                        p -> SampleImages.truthOf(p.getImageId()) + "->"
                                + p.getTopK().get(0).getLabel(),
                        Collectors.counting()));
        String listed = counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(8)
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return listed.isEmpty() ? "none" : listed;
    }
}
