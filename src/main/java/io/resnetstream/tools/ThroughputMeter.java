package io.resnetstream.tools;

import java.util.SplittableRandom;

import io.resnetstream.inference.ForwardPass;

/** Images per second of a forward pass at a fixed batch size, after warm-up runs. */
public final class ThroughputMeter {

    private static final int WARM_UP_RUNS = 3;
    private static final int MINIMUM_RUNS = 3;

    private ThroughputMeter() {}

    /**
     * Runs {@code forward} on random batches of {@code batch} images until at least {@code minimumSeconds} and
     * three runs have passed, after three unmeasured runs (graph optimisation, oneDNN kernel selection).
     */
    public static double imagesPerSecond(ForwardPass forward, int side, int batch, double minimumSeconds) {
        float[] input = new float[batch * side * side * 3];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < WARM_UP_RUNS; i++) {
            forward.classify(input, batch);
        }
        long start = System.nanoTime();
        long deadline = start + (long) (minimumSeconds * 1e9);
        int runs = 0;
        while (runs < MINIMUM_RUNS || System.nanoTime() < deadline) {
            forward.classify(input, batch);
            runs++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return runs * (double) batch / seconds;
    }
}
