package io.resnetstream.imaging;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How 8-bit pixels become network input; it must match how the weights were trained.
 * Each output value is {@code (v * scale - mean[c]) / std[c]} for the RGB channel c feeding it.
 */
public enum Normalization {
    /** BGR order, ImageNet mean subtracted (B 103.939, G 116.779, R 123.68), no scaling: Keras ResNet50, Caffe. */
    CAFFE(true, 1.0, new double[] {123.68, 116.779, 103.939}, new double[] {1, 1, 1}),
    /** RGB / 255, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225): torchvision. */
    TORCH(false, 1.0 / 255, new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225}),
    /** RGB scaled to [-1, 1]: x / 127.5 - 1. */
    TF(false, 1.0 / 127.5, new double[] {1, 1, 1}, new double[] {1, 1, 1}),
    /** RGB as floats 0..255. */
    NONE(false, 1.0, new double[] {0, 0, 0}, new double[] {1, 1, 1});

    private final boolean bgr;
    private final double scale;
    private final double[] rgbMean;
    private final double[] rgbStd;

    Normalization(boolean bgr, double scale, double[] rgbMean, double[] rgbStd) {
        this.bgr = bgr;
        this.scale = scale;
        this.rgbMean = rgbMean;
        this.rgbStd = rgbStd;
    }

    /** The configuration spelling: "caffe", "torch", "tf" or "none". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Which RGB channel (0 R, 1 G, 2 B) feeds output channel {@code outputChannel}. */
    public int sourceChannel(int outputChannel) {
        return bgr ? 2 - outputChannel : outputChannel;
    }

    /** The network input for an 8-bit value {@code value} in output channel {@code outputChannel}. */
    public float normalize(int outputChannel, int value) {
        int rgb = sourceChannel(outputChannel);
        return (float) ((value * scale - rgbMean[rgb]) / rgbStd[rgb]);
    }

    /**
     * The factor of {@code value × multiplier + offset}, the same map as {@link #normalize} written for an engine
     * that normalises whole tensors (equal to it within float rounding).
     */
    public float multiplier(int outputChannel) {
        return (float) (scale / rgbStd[sourceChannel(outputChannel)]);
    }

    /** The offset of {@code value × multiplier + offset}: see {@link #multiplier}. */
    public float offset(int outputChannel) {
        int rgb = sourceChannel(outputChannel);
        return (float) (-rgbMean[rgb] / rgbStd[rgb]);
    }

    /** Whether output channel 0 is blue (the channel order is reversed from RGB). */
    public boolean bgr() {
        return bgr;
    }

    /** Accepts "caffe", "torch", "tf" or "none", ignoring case. */
    public static Normalization parse(String text) {
        String wanted = text.trim().toUpperCase(Locale.ROOT);
        for (Normalization normalization : values()) {
            if (normalization.name().equals(wanted)) {
                return normalization;
            }
        }
        throw new IllegalArgumentException("unknown normalization '" + text + "', expected one of "
                + Arrays.stream(values()).map(Normalization::id).collect(Collectors.joining(", ")));
    }
}
