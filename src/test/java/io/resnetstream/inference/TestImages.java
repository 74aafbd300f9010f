package io.resnetstream.inference;

import java.util.Random;

/** Normalised-looking random inputs for forward passes. */
final class TestImages {

    private TestImages() {
    }

    static float[] gaussian(int views, int side, long seed) {
        Random random = new Random(seed);
        float[] data = new float[views * side * side * 3];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return data;
    }

    static float[] view(float[] batch, int index, int side) {
        int size = side * side * 3;
        float[] one = new float[size];
        System.arraycopy(batch, index * size, one, 0, size);
        return one;
    }
}
