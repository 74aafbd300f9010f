package io.resnetstream.inference.training;

/**
 * The "torch" preset the shapes model trains with: RGB, {@code (v / 255 - mean) / std} with ImageNet's mean
 * (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225). The imaging pipeline's {@code torch} normalisation must give
 * the same floats.
 */
final class TorchNormalization {

    static final String PRESET = "torch";

    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};
    private static final float[][] LOOKUP = new float[3][256];

    static {
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                LOOKUP[c][v] = (float) ((v / 255.0 - MEAN[c]) / STD[c]);
            }
        }
    }

    private TorchNormalization() {
    }

    static float normalize(int channel, byte value) {
        return LOOKUP[channel][value & 0xff];
    }
}
