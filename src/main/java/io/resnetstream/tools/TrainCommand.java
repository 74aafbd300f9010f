package io.resnetstream.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.resnet.ExportSettings;
import io.resnetstream.resnet.SavedModelExporter;
import io.resnetstream.resnet.training.HeldOutAccuracy;
import io.resnetstream.resnet.training.ShapesDataset;
import io.resnetstream.resnet.training.ShapesTraining;
import io.resnetstream.resnet.training.TrainingConfig;
import io.resnetstream.topology.ResnetConfig;

/**
 * Trains a small ResNet on the generated shapes dataset and exports it (weights as constants) with labels, manifest
 * and a {@code training.json} that records how it was made and how well it did.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train a ResNet on generated shapes (circle, ring, triangle, square, pentagon, hexagon, star, "
                + "cross) and export it as a SavedModel.")
public class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            defaultValue = ResnetConfig.Model.DEFAULT_DIR,
            description = "Model directory (default: the service's model, ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--name", defaultValue = "shapes-resnet20", description = "Model name in the manifest.")
    String name;

    @Option(names = "--model-version", defaultValue = "1", description = "Model version in the manifest.")
    String modelVersion;

    @Option(names = "--arch", defaultValue = "resnet20", description = "Architecture (default: ${DEFAULT-VALUE}).")
    String architecture;

    @Option(
            names = "--resize",
            defaultValue = "46",
            description = "Image side, the manifest's resize (default: ${DEFAULT-VALUE}).")
    int resize;

    @Option(
            names = "--crop",
            defaultValue = "40",
            description = "Crop side, the network input (default: ${DEFAULT-VALUE}).")
    int crop;

    @Option(names = "--train-images", defaultValue = "30000")
    int trainImages;

    @Option(names = "--test-images", defaultValue = "2000")
    int testImages;

    @Option(names = "--epochs", defaultValue = "12")
    int epochs;

    @Option(names = "--batch", defaultValue = "128")
    int batch;

    @Option(names = "--learning-rate", defaultValue = "0.1", description = "Base rate; /10 at 1/2 and 3/4 of the run.")
    float learningRate;

    @Option(names = "--momentum", defaultValue = "0.9")
    float momentum;

    @Option(names = "--weight-decay", defaultValue = "1e-4")
    float weightDecay;

    @Option(
            names = "--supersampling",
            defaultValue = "2",
            description = "Draw images up to this many times larger, then shrink (default: ${DEFAULT-VALUE}).")
    int supersampling;

    @Option(names = "--seed", defaultValue = "1", description = "Seeds images, weights and batches.")
    long seed;

    @Override
    public Integer call() throws IOException {
        PrintWriter log = spec.commandLine().getOut();
        TrainingConfig config = new TrainingConfig(
                architecture,
                resize,
                crop,
                trainImages,
                testImages,
                epochs,
                batch,
                learningRate,
                momentum,
                weightDecay,
                supersampling,
                seed);
        ShapesTraining.Result result = new ShapesTraining(config, log).run();

        long exportStart = System.nanoTime();
        ModelManifest manifest = SavedModelExporter.export(
                result.spec(),
                result.weights(),
                new ExportSettings(
                        name, modelVersion, ShapesTraining.NORMALIZATION.id(), resize, crop, ShapesDataset.LABELS),
                out);
        double exportSeconds = (System.nanoTime() - exportStart) / 1e9;
        HeldOutAccuracy exported;
        try (TensorFlowClassifier classifier = TensorFlowClassifier.load(out)) {
            exported = HeldOutAccuracy.measure(classifier::classify, result.testImages(), crop);
        }
        log.printf(
                Locale.ROOT,
                "exported %s (digest %s) in %.1f s; through TensorFlowClassifier: centre-crop %.2f%%,"
                        + " ten-crop %.2f%%%n",
                out,
                manifest.digest().substring(0, 12),
                exportSeconds,
                100 * exported.centreCrop(),
                100 * exported.tenCrop());
        writeReport(config, result, exported);
        log.flush();
        return 0;
    }

    private void writeReport(TrainingConfig config, ShapesTraining.Result result, HeldOutAccuracy exported)
            throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("config", config);
        report.put("parameters", result.spec().parameterCount());
        report.put("multiplyAdds", result.spec().multiplyAdds(config.crop()));
        report.put("trainerAccuracy", result.accuracy());
        report.put("exportedModelAccuracy", exported);
        report.put("trainingSeconds", Math.round(result.trainingSeconds()));
        report.put("dataGenerationSeconds", Math.round(result.dataSeconds()));
        report.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("training.json").toFile(), report);
    }
}
