package io.resnetstream.inference;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import io.resnetstream.testing.RandomViews;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A SavedModel made elsewhere, with no manifest or labels, weights in variables, a Keras-style signature
 * ({@code input_1} → {@code dense}, logits): the classifier discovers names and input size from the signature.
 */
class ForeignSavedModelTest {

    private static final int SIDE = 40;
    private static final float[][] DENSE = {{1f, -1f, 0.5f, 0f, 2f}, {0f, 1f, -0.5f, 1f, 0f}, {-1f, 0f, 1f, 2f, 1f}};

    @TempDir
    static Path dir;

    /** Per-image channel means times {@link #DENSE}: logits of a tiny "network". */
    @BeforeAll
    static void exportForeignModel() throws IOException {
        TensorFlowRuntime.engine();
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Operand<TFloat32> images =
                    tf.withName("input_1").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIDE, SIDE, 3)));
            Variable<TFloat32> kernel = tf.withName("dense_kernel").variable(Shape.of(3, 5), TFloat32.class);
            Placeholder<TFloat32> initialValue = tf.placeholder(TFloat32.class);
            Operand<TFloat32> pooled = tf.math.mean(images, tf.constant(new int[] {1, 2}));
            Operand<TFloat32> logits = tf.withName("dense").linalg.matMul(pooled, tf.identity(kernel));
            Signature signature = Signature.builder()
                    .key("serving_default")
                    .input("input_1", images)
                    .output("dense", logits)
                    .build();
            try (Session session = new Session(graph);
                    TFloat32 value = TFloat32.tensorOf(Shape.of(3, 5), DataBuffers.of(flatten(DENSE), true, false))) {
                session.runner()
                        .feed(initialValue, value)
                        .addTarget(tf.assign(kernel, initialValue))
                        .run();
                SavedModelBundle.exporter(dir.toString())
                        .withSession(session)
                        .withSignature(signature)
                        .export();
            }
        }
    }

    @Test
    void discoversNamesAndInputSizeFromTheSignature() throws IOException {
        try (TensorFlowClassifier classifier = TensorFlowClassifier.load(dir)) {
            ModelManifest manifest = classifier.manifest();
            assertThat(manifest.inputName()).isEqualTo("input_1");
            assertThat(manifest.outputName()).isEqualTo("dense");
            assertThat(manifest.crop()).isEqualTo(SIDE);
            assertThat(manifest.resize()).isEqualTo(46);
            assertThat(manifest.normalization()).isEqualTo("none");
            assertThat(manifest.digest()).isEqualTo(ModelDigest.of(dir));
            assertThat(classifier.labels()).containsExactly("class_0", "class_1", "class_2", "class_3", "class_4");
        }
    }

    @Test
    void appliesTheSoftmaxWhenTheOverridesSayLogits() throws IOException {
        ModelManifest overrides = new ModelManifest("keras-like", "7", null, "caffe", 256, 0, null, null, true, null);
        float[] images = RandomViews.gaussian(2, SIDE, 5);
        try (TensorFlowClassifier classifier = TensorFlowClassifier.load(dir, overrides)) {
            assertThat(classifier.manifest().name()).isEqualTo("keras-like");
            assertThat(classifier.manifest().resize()).isEqualTo(256);
            float[][] rows = classifier.classify(images, 2);
            RandomViews.assertProbabilities(rows, 2, 5);
            for (int v = 0; v < 2; v++) {
                float[] expected = expectedLogits(RandomViews.view(images, v, SIDE));
                Softmax.inPlace(expected);
                for (int c = 0; c < 5; c++) {
                    assertThat(rows[v][c]).isCloseTo(expected[c], within(1e-5f));
                }
            }
        }
    }

    @Test
    void rejectsNamesTheSignatureDoesNotHave() {
        ModelManifest wrong = new ModelManifest(null, null, null, "none", 0, 0, "images", null, false, null);
        assertThatThrownBy(() -> TensorFlowClassifier.load(dir, wrong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input_1");
    }

    @Test
    void rejectsACropThatContradictsTheInputShape() {
        ModelManifest wrong = new ModelManifest(null, null, null, "none", 0, 32, null, null, false, null);
        assertThatThrownBy(() -> TensorFlowClassifier.load(dir, wrong)).isInstanceOf(IllegalArgumentException.class);
    }

    private static float[] expectedLogits(float[] image) {
        double[] means = new double[3];
        for (int i = 0; i < image.length; i++) {
            means[i % 3] += image[i];
        }
        float[] logits = new float[5];
        for (int c = 0; c < 5; c++) {
            double sum = 0;
            for (int k = 0; k < 3; k++) {
                sum += means[k] / (SIDE * SIDE) * DENSE[k][c];
            }
            logits[c] = (float) sum;
        }
        return logits;
    }

    private static float[] flatten(float[][] matrix) {
        float[] flat = new float[matrix.length * matrix[0].length];
        for (int r = 0; r < matrix.length; r++) {
            System.arraycopy(matrix[r], 0, flat, r * matrix[0].length, matrix[0].length);
        }
        return flat;
    }
}
