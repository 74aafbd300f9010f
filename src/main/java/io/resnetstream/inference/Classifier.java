package io.resnetstream.inference;

import java.util.List;

/**
 * A loaded image classifier: one forward pass over a batch of preprocessed views.
 * Implementations hold native memory; close them.
 */
public interface Classifier extends ForwardPass, AutoCloseable {

    /** Identity and preprocessing of the model, copied into every prediction. */
    ModelManifest manifest();

    /** Class names, index-aligned with the model's output. */
    List<String> labels();

    @Override
    void close();
}
