package io.resnetstream.inference;

/** Softmax over one row of logits, shifted by the maximum so large logits cannot overflow. */
public final class Softmax {

    private Softmax() {}

    public static void inPlace(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = Math.exp(logits[i] - max);
            logits[i] = (float) e;
            sum += e;
        }
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (logits[i] / sum);
        }
    }
}
