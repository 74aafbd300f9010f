package io.resnetstream.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.testing.ForeignModels;
import io.resnetstream.testing.ViewChecks;

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
        ForeignModels.exportIdentityModel(dir, CROP);
        identity = TensorFlowClassifier.load(
                dir, new ModelManifest("identity", "1", null, "none", 0, 0, null, null, false, null));
    }

    @AfterAll
    static void close() {
        identity.close();
    }

    /** Sizes in an order that mixes groups: the engine groups by size and must put every image back in place. */
    private static List<DecodedImage> mixedSizes() {
        return ViewChecks.randomImages(
                42, new int[][] {{8, 8}, {10, 13}, {17, 9}, {10, 13}, {30, 11}, {8, 8}, {9, 25}, {17, 9}});
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
        List<ViewAverage> host = ViewChecks.viewsOnTheHost(identity).classifyResized(images, views);
        assertThat(engine).hasSameSizeAs(images);
        ViewChecks.assertSameAverages(engine, host, "engine vs host");
        for (int i = 0; i < images.size(); i++) {
            assertThat(engine.get(i).viewTop1()).hasSize(views.views());
        }
    }
}
