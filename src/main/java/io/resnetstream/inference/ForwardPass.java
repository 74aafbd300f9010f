package io.resnetstream.inference;

/**
 * One forward pass over a batch of preprocessed views: what the pipeline's classifier, the trainer and the
 * benchmarks have in common.
 */
@FunctionalInterface
public interface ForwardPass {

    /**
     * @param nhwc  {@code views × crop × crop × 3} floats, already normalised for this model
     * @param views how many views the buffer holds
     * @return softmax probabilities, {@code [views][classes]}
     */
    float[][] classify(float[] nhwc, int views);
}
