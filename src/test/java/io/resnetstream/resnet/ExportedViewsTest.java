package io.resnetstream.resnet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.inference.ViewAverage;
import io.resnetstream.inference.ViewsSignatures;
import io.resnetstream.testing.ViewChecks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our exports carry the views signatures, and a ResNet through them predicts as the composed views (the same
 * SavedModel loaded with a manifest that lists no signatures) and as the host's views: RGB and BGR presets, both
 * schemes, square and non-square images of odd margins in one batch.
 */
class ExportedViewsTest {

    private static final int CROP = 32;

    @TempDir
    static Path tmp;

    private static TensorFlowClassifier torch;
    private static TensorFlowClassifier torchComposed;
    private static TensorFlowClassifier caffe;
    private static TensorFlowClassifier caffeComposed;

    @BeforeAll
    static void export() throws IOException {
        ResNetSpec spec = ResNetSpec.named("resnet20");
        ResNetWeights weights = ResNetWeights.initialize(spec, 7);
        ExportSettings untrained = ExportSettings.untrained(spec, CROP);
        SavedModelExporter.export(spec, weights, untrained, tmp.resolve("torch"));
        ExportSettings bgr =
                new ExportSettings(untrained.name(), "1", "caffe", untrained.resize(), CROP, untrained.labels());
        SavedModelExporter.export(spec, weights, bgr, tmp.resolve("caffe"));
        torch = TensorFlowClassifier.load(tmp.resolve("torch"));
        caffe = TensorFlowClassifier.load(tmp.resolve("caffe"));
        torchComposed =
                TensorFlowClassifier.load(tmp.resolve("torch"), torch.manifest().withViewSignatures(null));
        caffeComposed =
                TensorFlowClassifier.load(tmp.resolve("caffe"), caffe.manifest().withViewSignatures(null));
    }

    @AfterAll
    static void close() {
        torch.close();
        torchComposed.close();
        caffe.close();
        caffeComposed.close();
    }

    @Test
    void manifestListsTheSignatures() throws IOException {
        ModelManifest written = ModelManifest.read(tmp.resolve("torch").resolve(ModelManifest.FILE_NAME));
        assertThat(written.viewSignatures()).isEqualTo(ViewsSignatures.keys());
        assertThat(written).isEqualTo(torch.manifest());
    }

    @ParameterizedTest
    @CsvSource({"torch, TEN_CROP", "torch, CENTER_CROP", "caffe, TEN_CROP", "caffe, CENTER_CROP"})
    void signaturePredictsAsTheComposedAndTheHostsViews(String preset, CropScheme scheme) {
        TensorFlowClassifier exported = preset.equals("torch") ? torch : caffe;
        TensorFlowClassifier composed = preset.equals("torch") ? torchComposed : caffeComposed;
        Preprocessor views = new Preprocessor(37, CROP, scheme, Normalization.parse(preset));
        assertThat(exported.viewsInSignature(views)).isTrue();
        assertThat(composed.viewsInSignature(views)).isFalse();
        List<DecodedImage> images = images();
        List<ViewAverage> signature = exported.classifyResized(images, views);
        List<ViewAverage> engine = composed.classifyResized(images, views);
        List<ViewAverage> host = ViewChecks.viewsOnTheHost(composed).classifyResized(images, views);
        ViewChecks.assertSameAverages(signature, engine, "signature vs composed");
        ViewChecks.assertSameAverages(signature, host, "signature vs host");
        for (int i = 0; i < images.size(); i++) {
            assertThat(signature.get(i).viewTop1())
                    .as("image %d", i)
                    .containsExactly(engine.get(i).viewTop1());
        }
    }

    /** Width × height after the resize (S = 37): square, wide, tall, odd and even margins, mixed in one batch. */
    private static List<DecodedImage> images() {
        return ViewChecks.randomImages(
                11, new int[][] {{37, 37}, {50, 37}, {37, 45}, {32, 32}, {50, 37}, {37, 80}, {41, 37}});
    }
}
