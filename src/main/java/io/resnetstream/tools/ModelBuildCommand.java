package io.resnetstream.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.resnet.ExportSettings;
import io.resnetstream.resnet.ResNetSpec;
import io.resnetstream.resnet.ResNetWeights;
import io.resnetstream.resnet.SavedModelExporter;
import io.resnetstream.resnet.ShortcutOption;

/** Builds the paper's networks with seeded weights and exports each as a SavedModel directory. */
@Command(
        name = "build-models",
        mixinStandardHelpOptions = true,
        description = "Build ResNets with seeded weights and export them as SavedModels (with labels.txt and "
                + "manifest.json) under <out>/<name>.")
public class ModelBuildCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "Directory to export into.")
    Path out;

    @Option(
            names = "--arch",
            split = ",",
            defaultValue = "resnet20",
            description = "Architectures, e.g. resnet20,resnet50,plain34 (default: ${DEFAULT-VALUE}).")
    List<String> architectures;

    @Option(names = "--classes", description = "Classes (default: 1000 for ImageNet networks, 10 for CIFAR ones).")
    Integer classes;

    @Option(names = "--input", description = "Input side (default: 224 for ImageNet networks, 32 for CIFAR ones).")
    Integer inputSize;

    @Option(names = "--resize", description = "Shorter side before cropping (default: input x 256/224).")
    Integer resize;

    @Option(names = "--shortcut", description = "Shortcut option NONE, A, B or C (default: B ImageNet, A CIFAR).")
    ShortcutOption shortcut;

    @Option(names = "--seed", defaultValue = "42", description = "Weight seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--model-version", defaultValue = "1", description = "Version in the manifest.")
    String modelVersion;

    @Option(
            names = "--normalization",
            defaultValue = "torch",
            description = "Normalisation preset written to the manifest (default: ${DEFAULT-VALUE}).")
    String normalization;

    @Option(
            names = "--benchmark",
            split = ",",
            paramLabel = "BATCH",
            description = "Also load each export and measure images/s at these batch sizes, e.g. 1,20.")
    List<Integer> benchmarkBatches = List.of();

    @Override
    public Integer call() throws IOException {
        PrintWriter printer = spec.commandLine().getOut();
        for (String architecture : architectures) {
            ResNetSpec network = network(architecture);
            int side = inputSize != null ? inputSize : network.defaultInputSize();
            ExportSettings defaults = ExportSettings.untrained(network, side);
            ExportSettings settings = new ExportSettings(
                    network.name(),
                    modelVersion,
                    normalization,
                    resize != null ? resize : defaults.resize(),
                    side,
                    defaults.labels());
            Path dir = out.resolve(network.name());

            long start = System.nanoTime();
            ResNetWeights weights = ResNetWeights.initialize(network, seed);
            ModelManifest manifest = SavedModelExporter.export(network, weights, settings, dir);
            double seconds = (System.nanoTime() - start) / 1e9;
            printer.printf(
                    Locale.ROOT,
                    "%s -> %s: %,d parameters, %.2f x10^9 multiply-adds at %dx%d, " + "exported in %.1f s, digest %s%n",
                    network.name(),
                    dir,
                    network.parameterCount(),
                    network.multiplyAdds(side) / 1e9,
                    side,
                    side,
                    seconds,
                    manifest.digest().substring(0, 12));
            printer.flush();
            benchmark(dir, side, printer);
        }
        return 0;
    }

    private ResNetSpec network(String architecture) {
        ResNetSpec network;
        try {
            network = ResNetSpec.named(architecture);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (classes != null) {
            network = network.withClasses(classes);
        }
        if (shortcut != null && shortcut != network.shortcut()) {
            network = new ResNetSpec(
                    network.name() + "-" + shortcut.name().toLowerCase(Locale.ROOT),
                    network.stem(),
                    network.blockType(),
                    network.blocksPerStage(),
                    network.stageWidths(),
                    shortcut,
                    network.classes(),
                    network.defaultInputSize());
        }
        return network;
    }

    private void benchmark(Path dir, int side, PrintWriter printer) throws IOException {
        if (benchmarkBatches.isEmpty()) {
            return;
        }
        try (TensorFlowClassifier classifier = TensorFlowClassifier.load(dir)) {
            for (int batch : benchmarkBatches) {
                double rate = ThroughputMeter.imagesPerSecond(classifier::classify, side, batch, 5.0);
                printer.printf(Locale.ROOT, "  batch %d: %.1f images/s%n", batch, rate);
                printer.flush();
            }
        }
    }
}
