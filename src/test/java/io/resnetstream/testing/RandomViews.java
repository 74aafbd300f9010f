package io.resnetstream.testing;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Normalised-looking random inputs for forward passes, and what every forward pass must return. */
public final class RandomViews {

    private RandomViews() {}

    public static float[] gaussian(int views, int side, long seed) {
        Random random = new Random(seed);
        float[] data = new float[views * side * side * 3];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return data;
    }

    public static float[] view(float[] batch, int index, int side) {
        int size = side * side * 3;
        float[] one = new float[size];
        System.arraycopy(batch, index * size, one, 0, size);
        return one;
    }

    /** Each row is a probability distribution over {@code classes}. */
    public static void assertProbabilities(float[][] rows, int views, int classes) {
        assertThat(rows).hasNumberOfRows(views);
        for (float[] row : rows) {
            assertThat(row).hasSize(classes);
            double sum = 0;
            for (float p : row) {
                assertThat(p).isBetween(0f, 1f);
                sum += p;
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
    }
}
