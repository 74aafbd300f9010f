package io.resnetstream.tools;

import java.util.List;

import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.ViewAverage;

/**
 * For the benchmark: the model with a clock on it, which tells how long the model was busy and when it first
 * started and last finished, so that an end-to-end run can say whether the model waited on the pipeline (its busy
 * share of the wall time) or the pipeline on the model. Calls take turns here as they do in the model, so that
 * a batch waiting for its turn is not counted as busy.
 */
final class ModelClock implements Classifier {
    private final Classifier model;
    private long busyNanos;
    private long firstStart;
    private long lastEnd;
    private int calls;

    ModelClock(Classifier model) {
        this.model = model;
    }

    /** What the clock read since the last {@link #reset}. */
    record Reading(long busyNanos, long firstStartNanos, long lastEndNanos, int calls) {}

    synchronized void reset() {
        busyNanos = 0;
        calls = 0;
    }

    synchronized Reading read() {
        return new Reading(busyNanos, firstStart, lastEnd, calls);
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
    public synchronized float[][] classify(float[] nhwc, int views) {
        long start = System.nanoTime();
        try {
            return model.classify(nhwc, views);
        } finally {
            clock(start);
        }
    }

    @Override
    public synchronized List<ViewAverage> classifyResized(List<DecodedImage> resized, Preprocessor views) {
        long start = System.nanoTime();
        try {
            return model.classifyResized(resized, views);
        } finally {
            clock(start);
        }
    }

    @Override
    public void prepareViews(Preprocessor views) {
        model.prepareViews(views);
    }

    private void clock(long start) {
        if (calls++ == 0) {
            firstStart = start;
        }
        lastEnd = System.nanoTime();
        busyNanos += lastEnd - start;
    }

    @Override
    public void close() {
        model.close();
    }
}
