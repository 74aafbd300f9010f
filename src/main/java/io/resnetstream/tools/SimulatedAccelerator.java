package io.resnetstream.tools;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.ViewAverage;

/**
 * For the benchmark only: a stand-in for a model on an accelerator that classifies {@code viewsPerSecond} views
 * per second without using the host's cores, so that the CPU-side stages (intake, decoding, cropping, Kafka)
 * can be measured against a device faster than the host's CPU. It answers uniform probabilities; the
 * manifest and labels are the real model's, so preprocessing is the real one.
 */
final class SimulatedAccelerator implements Classifier {
    private final Classifier model;
    private final double viewsPerSecond;

    SimulatedAccelerator(Classifier model, double viewsPerSecond) {
        this.model = model;
        this.viewsPerSecond = viewsPerSecond;
    }

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
        waitFor(views);
        float[][] out = new float[views][];
        for (int v = 0; v < views; v++) {
            out[v] = uniform();
        }
        return out;
    }

    /** The views made on the device too: the host's part ends with the resized images. */
    @Override
    public List<ViewAverage> classifyResized(List<DecodedImage> resized, Preprocessor views) {
        waitFor(resized.size() * views.views());
        return resized.stream()
                .map(image -> new ViewAverage(uniform(), new int[views.views()]))
                .toList();
    }

    private void waitFor(int views) {
        long until = System.nanoTime() + (long) (views / viewsPerSecond * 1e9);
        while (System.nanoTime() < until) { // parked, not spinning: the host's cores stay free, as with a GPU
            LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    private float[] uniform() {
        float[] row = new float[model.labels().size()];
        Arrays.fill(row, 1f / row.length);
        return row;
    }

    @Override
    public void close() {
        model.close();
    }
}
