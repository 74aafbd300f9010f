package io.resnetstream.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.ViewAverage;

import static org.assertj.core.api.Assertions.assertThat;

/** What the tests of the views made in the engine share: resized images, the host's views, the comparison. */
public final class ViewChecks {
    private ViewChecks() {}

    /** Images already resized, of {@code sizes} (width, height) in that order, with random pixels. */
    public static List<DecodedImage> randomImages(long seed, int[]... sizes) {
        Random random = new Random(seed);
        List<DecodedImage> images = new ArrayList<>();
        for (int[] size : sizes) {
            byte[] rgb = new byte[size[0] * size[1] * 3];
            random.nextBytes(rgb);
            images.add(new DecodedImage(size[0], size[1], rgb));
        }
        return images;
    }

    /** {@code model} with its views made on the host, as floats ({@link Classifier}'s default), the same network. */
    public static Classifier viewsOnTheHost(Classifier model) {
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

    /** Image by image, the views' means agree within 1e-5, relative to values above 1. */
    public static void assertSameAverages(List<ViewAverage> actual, List<ViewAverage> expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            float[] e = expected.get(i).meanProbabilities();
            float[] a = actual.get(i).meanProbabilities();
            assertThat(a).as("%s: image %d", what, i).hasSameSizeAs(e);
            for (int k = 0; k < e.length; k++) {
                float tolerance = 1e-5f * Math.max(1f, Math.abs(e[k]));
                assertThat(Math.abs(a[k] - e[k]))
                        .as("%s: image %d, value %d: %s vs %s", what, i, k, a[k], e[k])
                        .isLessThanOrEqualTo(tolerance);
            }
        }
    }
}
