package io.resnetstream.resnet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import io.resnetstream.inference.ModelDigest;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowRuntime;
import io.resnetstream.inference.ViewsSignatures;

/**
 * Writes a network as a SavedModel laid out like a Keras {@code ResNet50} export: tag {@code serve}, signature
 * {@code serving_default} taking {@code input_1} ({@code [-1, H, W, 3]} float32 NHWC) and returning
 * {@code predictions} (softmax, {@code [-1, classes]}), and the views signatures ({@link ViewsSignatures}: the
 * resized 8-bit images in, each image's mean probabilities and views' top-1 out). Weights are graph constants. Beside
 * it: {@code labels.txt} and {@code manifest.json}.
 */
public final class SavedModelExporter {

    public static final String INPUT_NAME = "input_1";
    public static final String OUTPUT_NAME = "predictions";
    public static final String SIGNATURE_KEY = "serving_default";
    public static final String LABELS_FILE = ModelManifest.DEFAULT_LABELS_FILE;

    private SavedModelExporter() {}

    /**
     * Exports {@code spec} with {@code weights} into {@code dir}, replacing a SavedModel already there.
     *
     * @return the manifest written beside it
     */
    public static ModelManifest export(ResNetSpec spec, ResNetWeights weights, ExportSettings settings, Path dir)
            throws IOException {
        if (settings.labels().size() != spec.classes()) {
            throw new IllegalArgumentException(
                    spec.classes() + " classes but " + settings.labels().size() + " labels");
        }
        spec.checkInputSize(settings.crop());
        TensorFlowRuntime.engine();
        Files.createDirectories(dir);
        deleteSavedModel(dir);
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Operand<TFloat32> images = tf.withName(INPUT_NAME)
                    .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, settings.crop(), settings.crop(), 3)));
            ResNetGraph network = ResNetBuilder.inference(tf, spec, new ConstantWeights(tf, weights), images);
            Operand<TFloat32> probabilities = tf.withName(OUTPUT_NAME).nn.softmax(network.logits());
            Signature signature = Signature.builder()
                    .key(SIGNATURE_KEY)
                    .input(INPUT_NAME, images)
                    .output(OUTPUT_NAME, probabilities)
                    .build();
            try (Session session = new Session(graph)) {
                SavedModelBundle.exporter(dir.toString())
                        .withSession(session)
                        .withSignature(signature)
                        .export();
            }
        }
        Files.write(dir.resolve(LABELS_FILE), settings.labels(), StandardCharsets.UTF_8);
        ModelManifest described = new ModelManifest(
                settings.name(),
                settings.version(),
                null,
                settings.normalization(),
                settings.resize(),
                settings.crop(),
                INPUT_NAME,
                OUTPUT_NAME,
                false,
                LABELS_FILE,
                ViewsSignatures.keys());
        // also written deterministically: the same network always gives the same bytes and so the same digest
        ViewsSignatures.addTo(dir, described, spec.classes());
        ModelManifest manifest = described.withDigest(ModelDigest.of(dir));
        manifest.write(dir.resolve(ModelManifest.FILE_NAME));
        return manifest;
    }

    /** Stale files under {@code variables/} would otherwise enter the new digest. */
    private static void deleteSavedModel(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve("saved_model.pb"));
        Path variables = dir.resolve("variables");
        if (Files.isDirectory(variables)) {
            try (Stream<Path> walk = Files.walk(variables)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }
}
