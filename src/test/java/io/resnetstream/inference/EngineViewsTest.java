package io.resnetstream.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The views made in the engine are the host's views, pixel for pixel: through an "identity network" whose output is
 * its input view flattened, the mean the engine returns is the mean of the views themselves, so a crop in the wrong
 * place, a flip on the wrong axis, a wrong channel order or normalisation, or images returned out of order show up
 * as differences from {@link Preprocessor}'s views averaged on the host.
 */
class EngineViewsTest {

    private static final int CROP = 8;

    @TempDir
    static Path dir;

    private static TensorFlowClassifier identity;

    @BeforeAll
    static void exportIdentityModel() throws IOException {
        TensorFlowRuntime.engine();
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Operand<TFloat32> views =
                    tf.withName("input_1").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, CROP, CROP, 3)));
            Operand<TFloat32> flat = tf.withName("pixels").reshape(views, tf.constant(new int[] {-1, CROP * CROP * 3}));
            Signature signature = Signature.builder()
                    .key("serving_default")
                    .input("input_1", views)
                    .output("pixels", flat)
                    .build();
            try (Session session = new Session(graph)) {
                SavedModelBundle.exporter(dir.toString())
                        .withSession(session)
                        .withSignature(signature)
                        .export();
            }
        }
        identity = TensorFlowClassifier.load(
                dir, new ModelManifest("identity", "1", null, "none", 0, 0, null, null, false, null));
    }

    @AfterAll
    static void close() {
        identity.close();
    }

    /** Sizes in an order that mixes groups: the engine groups by size and must put every image back in place. */
    private static List<DecodedImage> mixedSizes() {
        int[][] sizes = {{8, 8}, {10, 13}, {17, 9}, {10, 13}, {30, 11}, {8, 8}, {9, 25}, {17, 9}};
        Random random = new Random(42);
        List<DecodedImage> images = new ArrayList<>();
        for (int[] size : sizes) {
            byte[] rgb = new byte[size[0] * size[1] * 3];
            random.nextBytes(rgb);
            images.add(new DecodedImage(size[0], size[1], rgb));
        }
        return images;
    }

    @ParameterizedTest
    @EnumSource(Normalization.class)
    void tenCropInTheEngineIsTheHostsTenCrop(Normalization normalization) {
        assertSameAsHost(new Preprocessor(CROP, CROP, CropScheme.TEN_CROP, normalization));
    }

    @ParameterizedTest
    @EnumSource(Normalization.class)
    void centreCropInTheEngineIsTheHostsCentreCrop(Normalization normalization) {
        assertSameAsHost(new Preprocessor(CROP, CROP, CropScheme.CENTER_CROP, normalization));
    }

    @Test
    void refusesAnImageSmallerThanTheCropAndAViewSizeTheModelDoesNotTake() {
        Preprocessor views = new Preprocessor(CROP, CROP, CropScheme.TEN_CROP, Normalization.NONE);
        assertThatThrownBy(
                        () -> identity.classifyResized(List.of(new DecodedImage(7, 20, new byte[7 * 20 * 3])), views))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("smaller than the crop");
        assertThatThrownBy(() -> identity.classifyResized(
                        List.of(new DecodedImage(9, 9, new byte[9 * 9 * 3])),
                        new Preprocessor(9, 9, CropScheme.TEN_CROP, Normalization.NONE)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(identity.classifyResized(List.of(), views)).isEmpty();
    }

    private static void assertSameAsHost(Preprocessor views) {
        List<DecodedImage> images = mixedSizes();
        List<ViewAverage> engine = identity.classifyResized(images, views);
        List<ViewAverage> host = hostOnly(identity).classifyResized(images, views);
        assertThat(engine).hasSameSizeAs(images);
        for (int i = 0; i < images.size(); i++) {
            float[] expected = host.get(i).meanProbabilities();
            float[] actual = engine.get(i).meanProbabilities();
            assertThat(actual).hasSameSizeAs(expected);
            for (int k = 0; k < expected.length; k++) {
                float tolerance = 1e-5f * Math.max(1f, Math.abs(expected[k]));
                assertThat(Math.abs(actual[k] - expected[k]))
                        .as(
                                "image %d (%dx%d), value %d",
                                i, images.get(i).width(), images.get(i).height(), k)
                        .isLessThanOrEqualTo(tolerance);
            }
            assertThat(engine.get(i).viewTop1()).hasSize(views.views());
        }
    }

    /** The model behind {@link Classifier}'s default: every view cut on the host, as floats. */
    static Classifier hostOnly(Classifier model) {
        return new Classifier() {
            @Override
            public ModelManifest manifest() {
                return model.manifest();
            }

            @Override
            public List<String> labels() {
                return model.labels();
            }

            @Override
            public float[][] classify(float[] nhwc, int views) {
                return model.classify(nhwc, views);
            }

            @Override
            public void close() {}
        };
    }
}
