package io.resnetstream.resnet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.ImageDecoder;
import io.resnetstream.imaging.ImageLimits;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.ImageScores;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.inference.ViewPlacement;
import io.resnetstream.resnet.training.ShapesDataset;
import io.resnetstream.testing.TestImages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The shipped model gives the same predictions whether the host makes the views (floats) or the engine does (from the
 * resized 8-bit image), on held-out shapes of mixed sizes and aspect ratios in one batch: enlarged and shrunk, wide
 * and tall, JPEG and PNG, one already at S. Same classes in the same order, probabilities within float rounding,
 * same view votes.
 */
class ViewsInEngineTest {

    private static final Path MODEL = Path.of("models/shapes-resnet20");
    private static final long HELD_OUT_SEED = 777;
    /** width × height: S is 46 for the shipped model, so 46 is "already resized" and 40 is enlarged. */
    private static final int[][] SIZES = {
        {96, 96},
        {120, 80},
        {64, 160},
        {46, 46},
        {40, 100},
        {300, 200},
        {47, 300},
        {200, 60},
        {96, 96},
        {55, 55},
        {81, 46},
        {46, 90}
    };

    private static TensorFlowClassifier classifier;
    private static List<byte[]> images;

    @BeforeAll
    static void load() throws IOException {
        classifier = TensorFlowClassifier.load(MODEL);
        ShapesDataset dataset = new ShapesDataset(HELD_OUT_SEED);
        images = new ArrayList<>();
        for (int i = 0; i < 3 * SIZES.length; i++) {
            int[] size = SIZES[i % SIZES.length];
            images.add(TestImages.encode(
                    dataset.render(i, size[0], size[1]).toBufferedImage(), i % 3 == 0 ? "png" : "jpg"));
        }
    }

    @AfterAll
    static void close() {
        classifier.close();
    }

    @ParameterizedTest
    @EnumSource(CropScheme.class)
    void engineViewsPredictAsHostViews(CropScheme scheme) {
        List<BatchClassifier.Result> host = classify(scheme, ViewPlacement.HOST);
        List<BatchClassifier.Result> engine = classify(scheme, ViewPlacement.ENGINE);
        assertThat(engine).hasSameSizeAs(images);
        for (int i = 0; i < images.size(); i++) {
            assertThat(host.get(i).failure()).isNull();
            assertThat(engine.get(i).failure()).isNull();
            ImageScores expected = host.get(i).scores();
            ImageScores actual = engine.get(i).scores();
            assertThat(actual.topClasses()).as("image %d", i).containsExactly(expected.topClasses());
            assertThat(actual.topProbabilities())
                    .as("image %d", i)
                    .containsExactly(expected.topProbabilities(), within(1e-5f));
            assertThat(actual.topViewVotes()).as("image %d", i).isEqualTo(expected.topViewVotes());
            assertThat(actual.views()).isEqualTo(scheme.views());
        }
    }

    private static List<BatchClassifier.Result> classify(CropScheme scheme, ViewPlacement placement) {
        ModelManifest manifest = classifier.manifest();
        Preprocessor views = new Preprocessor(
                manifest.resize(), manifest.crop(), scheme, Normalization.parse(manifest.normalization()));
        ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
        // every class, so that the whole averaged distribution is compared, not just the winner
        try (BatchClassifier batch = new BatchClassifier(
                classifier, decoder, views, classifier.labels().size(), 2, placement)) {
            return batch.classify(images);
        }
    }
}
