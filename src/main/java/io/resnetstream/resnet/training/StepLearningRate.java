package io.resnetstream.resnet.training;

/**
 * The paper's step schedule on a fixed budget: the base rate, divided by 10 at half and again at three quarters of
 * the epochs.
 *
 * @param base   rate of the first half (paper: 0.1)
 * @param epochs epochs in the run
 */
public record StepLearningRate(float base, int epochs) {

    /** The rate for {@code epoch}, counted from 0. */
    public float rate(int epoch) {
        if (4 * epoch >= 3 * epochs) {
            return base / 100;
        }
        return 2 * epoch >= epochs ? base / 10 : base;
    }
}
