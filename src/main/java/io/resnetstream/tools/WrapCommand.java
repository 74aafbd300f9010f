package io.resnetstream.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import io.resnetstream.imaging.Normalization;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.ViewsSignatures;

/**
 * Writes a SavedModel once more with the views signatures in front ({@link ViewsSignatures}), so that the service,
 * TensorFlow Serving or Triton can hand it the resized 8-bit images instead of float views. For foreign models
 * (Keras, TF-Hub); the project's own exports have the signatures already.
 */
@Command(
        name = "wrap",
        mixinStandardHelpOptions = true,
        description = "Write a SavedModel with the views signatures (8-bit images in; the views' mean and each view's "
                + "top-1 out) beside its serving_default, with a manifest that lists them.")
public class WrapCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "The SavedModel directory to wrap.")
    Path model;

    @Option(names = "--out", required = true, description = "A new (or empty) directory to write into.")
    Path out;

    @Option(
            names = "--normalization",
            description = "Preset the network's weights expect: caffe, torch, tf or none (default: the model's "
                    + "manifest; required without one).")
    String normalization;

    @Option(names = "--crop", description = "Crop side (default: the manifest's, or the input's fixed size).")
    Integer crop;

    @Option(
            names = "--resize",
            description = "Shorter side before cropping, for the manifest (default: crop x 256/224).")
    Integer resize;

    @Option(names = "--logits", description = "The output is logits: the views signatures apply the softmax.")
    boolean logits;

    @Option(names = "--name", description = "Model name for the manifest (default: the manifest's or the directory's).")
    String name;

    @Option(names = "--model-version", description = "Model version for the manifest (default: the manifest's or 1).")
    String modelVersion;

    @Override
    public Integer call() throws IOException {
        Path manifestFile = model.resolve(ModelManifest.FILE_NAME);
        ModelManifest found = Files.isRegularFile(manifestFile) ? ModelManifest.read(manifestFile) : null;
        String preset = normalization != null ? normalization : found != null ? found.normalization() : null;
        if (preset == null) {
            throw new ParameterException(
                    spec.commandLine(), model + " has no manifest: give --normalization (caffe, torch, tf or none)");
        }
        try {
            Normalization.parse(preset);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ModelManifest given = new ModelManifest(
                name != null ? name : found != null ? found.name() : null,
                modelVersion != null ? modelVersion : found != null ? found.version() : null,
                null, // the wrapped files get a digest of their own
                preset,
                resize != null ? resize : found != null ? found.resize() : 0,
                crop != null ? crop : found != null ? found.crop() : 0,
                found != null ? found.inputName() : null,
                found != null ? found.outputName() : null,
                logits || (found != null && found.outputIsLogits()),
                found != null ? found.labelsFile() : null,
                found != null ? found.viewSignatures() : null);
        ModelManifest wrapped;
        try {
            wrapped = ViewsSignatures.wrap(model, given, out);
        } catch (IllegalArgumentException e) {
            // the model or the directories do not allow it: say why, without a stack trace
            throw new ParameterException(spec.commandLine(), "cannot wrap " + model + ": " + e.getMessage(), e);
        }
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf(
                "%s -> %s: signatures %s added (%s, crop %d), digest %s%n",
                model,
                out,
                String.join(", ", wrapped.viewSignatures().values()),
                wrapped.normalization(),
                wrapped.crop(),
                wrapped.digest().substring(0, 12));
        printer.flush();
        return 0;
    }
}
