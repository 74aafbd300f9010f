package io.resnetstream.inference;

/**
 * One image's views reduced to what a prediction needs: their mean softmax (paper §3.4) and each view's own top-1
 * (for the agreement count). What {@link Classifier#classifyResized} returns per image, wherever the views were
 * made.
 *
 * @param meanProbabilities the views' softmax outputs averaged, one per class
 * @param viewTop1          each view's best class, in view order
 */
public record ViewAverage(float[] meanProbabilities, int[] viewTop1) {

    public ViewAverage {
        if (meanProbabilities.length == 0 || viewTop1.length == 0) {
            throw new IllegalArgumentException("no classes or no views");
        }
    }

    /** Averages {@code views} rows of per-view probabilities starting at {@code first}, on the host. */
    public static ViewAverage of(float[][] viewProbabilities, int first, int views) {
        int classes = viewProbabilities[first].length;
        float[] mean = new float[classes];
        int[] viewTop1 = new int[views];
        for (int v = 0; v < views; v++) {
            float[] row = viewProbabilities[first + v];
            viewTop1[v] = ImageScores.argMax(row);
            for (int c = 0; c < classes; c++) {
                mean[c] += row[c] / views;
            }
        }
        return new ViewAverage(mean, viewTop1);
    }
}
