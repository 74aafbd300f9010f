package io.resnetstream.testing;

import java.util.List;

import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;

/**
 * A tiny stand-in model for topology tests: classifies a view as red, green or blue by its mean
 * channel values (input preprocessed with the {@code none} preset, RGB 0..255), and records the
 * forward passes it was asked for. The real engine is exercised by the inference and integration tests.
 */
public class ColourClassifier implements Classifier {
    public static final List<String> LABELS = List.of("red", "green", "blue");
    public final java.util.List<Integer> passes = new java.util.ArrayList<>();
    /** Set by {@link #close()}: a replaced model must be closed once, and only after its last batch. */
    public volatile boolean closed;

    private final String version;

    public ColourClassifier() {
        this("1");
    }

    /** @param version the manifest's version, which every prediction of this model names */
    public ColourClassifier(String version) {
        this.version = version;
    }

    @Override
    public ModelManifest manifest() {
        return new ModelManifest(
                "colour", version, "0000", "none", 16, 8, "input_1", "predictions", false, "labels.txt");
    }

    @Override
    public List<String> labels() {
        return LABELS;
    }

    @Override
    public float[][] classify(float[] nhwc, int views) {
        passes.add(views);
        int perView = nhwc.length / views;
        float[][] out = new float[views][3];
        for (int v = 0; v < views; v++) {
            double[] sum = new double[3];
            for (int i = 0; i < perView; i++) {
                sum[i % 3] += nhwc[v * perView + i];
            }
            double total = sum[0] + sum[1] + sum[2] + 1e-9;
            for (int c = 0; c < 3; c++) {
                out[v][c] = (float) (sum[c] / total);
            }
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }
}
