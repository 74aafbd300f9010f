package io.resnetstream.inference;

import java.util.List;

/**
 * A loaded image classifier: one forward pass over a batch of preprocessed views.
 * Implementations hold native memory; close them.
 */
public interface Classifier extends AutoCloseable {

    /** Identity and preprocessing of the model, copied into every prediction. */
    ModelManifest manifest();

    /** Class names, index-aligned with the model's output. */
    List<String> labels();

    /**
     * Runs one forward pass.
     *
     * @param nhwc  {@code views × crop × crop × 3} floats, already normalised for this model
     * @param views how many views the buffer holds
     * @return softmax probabilities, {@code [views][classes]}
     */
    float[][] classify(float[] nhwc, int views);

    @Override
    void close();
}
