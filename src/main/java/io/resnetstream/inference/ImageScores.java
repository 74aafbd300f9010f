package io.resnetstream.inference;

/**
 * One image's classification: the views' softmax outputs averaged (paper §3.4), the best classes,
 * and how many views agreed with the winner.
 *
 * @param topClasses       class indices, best first
 * @param topProbabilities their averaged probabilities
 * @param topViewVotes     views whose own top-1 is {@code topClasses[0]}
 * @param views            views averaged
 */
public record ImageScores(int[] topClasses, float[] topProbabilities, int topViewVotes, int views) {

    /**
     * Averages {@code views} rows of per-view probabilities starting at {@code first}.
     */
    public static ImageScores average(float[][] viewProbabilities, int first, int views, int topK) {
        return of(ViewAverage.of(viewProbabilities, first, views), topK);
    }

    /** The best {@code topK} classes of the averaged views, and how many views voted for the first. */
    public static ImageScores of(ViewAverage views, int topK) {
        float[] mean = views.meanProbabilities();
        int k = Math.min(topK, mean.length);
        int[] top = topIndices(mean, k);
        float[] topP = new float[k];
        for (int i = 0; i < k; i++) {
            topP[i] = mean[top[i]];
        }
        int votes = 0;
        for (int t : views.viewTop1()) {
            if (t == top[0]) {
                votes++;
            }
        }
        return new ImageScores(top, topP, votes, views.viewTop1().length);
    }

    static int argMax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The k largest entries' indices, largest first; ties keep the lower index first. */
    static int[] topIndices(float[] values, int k) {
        int[] top = new int[k];
        boolean[] taken = new boolean[values.length];
        for (int i = 0; i < k; i++) {
            int best = -1;
            for (int c = 0; c < values.length; c++) {
                if (!taken[c] && (best < 0 || values[c] > values[best])) {
                    best = c;
                }
            }
            taken[best] = true;
            top[i] = best;
        }
        return top;
    }
}
