package io.resnetstream.inference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ImageScoresTest {

    @Test
    void averagesTheViewsSoftmaxOutputsAndCountsAgreeingViews() {
        float[][] views = {
            {0.7f, 0.2f, 0.1f}, // votes 0
            {0.1f, 0.6f, 0.3f}, // votes 1
            {0.5f, 0.4f, 0.1f}, // votes 0
            {0.2f, 0.5f, 0.3f}, // votes 1
        };
        ImageScores s = ImageScores.average(views, 0, 4, 2);

        // mean: class 0 = 1.5/4, class 1 = 1.7/4, class 2 = 0.8/4
        assertThat(s.topClasses()).containsExactly(1, 0);
        assertThat(s.topProbabilities()[0]).isCloseTo(0.425f, within(1e-6f));
        assertThat(s.topProbabilities()[1]).isCloseTo(0.375f, within(1e-6f));
        assertThat(s.topViewVotes()).isEqualTo(2);
        assertThat(s.views()).isEqualTo(4);
    }

    @Test
    void readsOnlyItsOwnRowsOfABatch() {
        float[][] batch = {{1, 0}, {1, 0}, {0, 1}, {0.4f, 0.6f}};
        ImageScores second = ImageScores.average(batch, 2, 2, 5);

        assertThat(second.topClasses()).containsExactly(1, 0); // k is capped at the class count
        assertThat(second.topProbabilities()[0]).isCloseTo(0.8f, within(1e-6f));
        assertThat(second.topViewVotes()).isEqualTo(2);
    }

    @Test
    void aSingleViewIsItsOwnAverage() {
        ImageScores s = ImageScores.average(new float[][] {{0.1f, 0.2f, 0.7f}}, 0, 1, 1);
        assertThat(s.topClasses()).containsExactly(2);
        assertThat(s.topProbabilities()[0]).isEqualTo(0.7f);
        assertThat(s.topViewVotes()).isEqualTo(1);
    }
}
