package io.resnetstream.inference.training;

import java.util.SplittableRandom;

/**
 * Cuts {@code crop × crop} views out of {@code resize × resize} images and writes them normalised as NHWC floats:
 * random crops with random flips for training, and the pipeline's ten test views in the imaging
 * {@code Preprocessor}'s order (top-left, top-right, bottom-left, bottom-right, centre at floor((S − C) / 2), then
 * their flips).
 */
final class CropWriter {

    static final int TEN_CROP_VIEWS = 10;

    private final int crop;

    CropWriter(int crop) {
        this.crop = crop;
    }

    int floatsPerView() {
        return crop * crop * 3;
    }

    /** A random crop, flipped with probability 1/2. */
    void writeRandomCrop(LabeledImage image, SplittableRandom random, float[] out, int offset) {
        int x = random.nextInt(image.width() - crop + 1);
        int y = random.nextInt(image.height() - crop + 1);
        writeView(image, x, y, random.nextBoolean(), out, offset);
    }

    /** The ten views, {@link #floatsPerView()} floats each. */
    void writeTenCrop(LabeledImage image, float[] out, int offset) {
        int right = image.width() - crop;
        int bottom = image.height() - crop;
        int[][] corners = {{0, 0}, {right, 0}, {0, bottom}, {right, bottom}, {right / 2, bottom / 2}};
        int at = offset;
        for (boolean flipped : new boolean[] {false, true}) {
            for (int[] corner : corners) {
                writeView(image, corner[0], corner[1], flipped, out, at);
                at += floatsPerView();
            }
        }
    }

    private void writeView(LabeledImage image, int left, int top, boolean flipped, float[] out, int offset) {
        byte[] rgb = image.rgb();
        int o = offset;
        for (int y = 0; y < crop; y++) {
            for (int x = 0; x < crop; x++) {
                int sourceX = left + (flipped ? crop - 1 - x : x);
                int s = ((top + y) * image.width() + sourceX) * 3;
                out[o++] = TorchNormalization.normalize(0, rgb[s]);
                out[o++] = TorchNormalization.normalize(1, rgb[s + 1]);
                out[o++] = TorchNormalization.normalize(2, rgb[s + 2]);
            }
        }
    }
}
