package io.resnetstream.tools;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;

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
        long until = System.nanoTime() + (long) (views / viewsPerSecond * 1e9);
        while (System.nanoTime() < until) { // parked, not spinning: the host's cores stay free, as with a GPU
            LockSupport.parkNanos(until - System.nanoTime());
        }
        float[][] out = new float[views][];
        float p = 1f / model.labels().size();
        for (int v = 0; v < views; v++) {
            out[v] = new float[model.labels().size()];
            Arrays.fill(out[v], p);
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
