package io.resnetstream.inference;

import java.util.ArrayList;
import java.util.List;

import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.Preprocessor;

/**
 * A loaded image classifier: one forward pass over a batch of preprocessed views, or over images only resized,
 * whose views the classifier makes itself. Implementations hold native memory; close them.
 */
public interface Classifier extends ForwardPass, AutoCloseable {

    /** Identity and preprocessing of the model, copied into every prediction. */
    ModelManifest manifest();

    /** Class names, index-aligned with the model's output. */
    List<String> labels();

    /**
     * Classifies images already decoded and resized (shorter side S, 8-bit RGB): cuts the views of
     * {@code views}'s scheme, normalises them with its preset, runs one forward pass and averages each image's
     * views. The result matches {@link Preprocessor#writeViewsOfResized} + {@link #classify} +
     * {@link ViewAverage#of} within float rounding.
     *
     * <p>This default does exactly that on the host (test stand-ins); {@link TensorFlowClassifier} does it in the
     * engine, so that only the resized bytes cross to the model.
     *
     * @return one per image, in order
     */
    default List<ViewAverage> classifyResized(List<DecodedImage> resized, Preprocessor views) {
        int perImage = views.floatsPerImage();
        float[] nhwc = new float[Math.multiplyExact(resized.size(), perImage)];
        for (int i = 0; i < resized.size(); i++) {
            views.writeViewsOfResized(resized.get(i), nhwc, i * perImage);
        }
        float[][] rows = classify(nhwc, resized.size() * views.views());
        List<ViewAverage> out = new ArrayList<>(resized.size());
        for (int i = 0; i < resized.size(); i++) {
            out.add(ViewAverage.of(rows, i * views.views(), views.views()));
        }
        return out;
    }

    /**
     * Gets ready to make {@code views} in {@link #classifyResized}, so that the first batch does not pay for it (a
     * model's views signature is loaded here). Nothing by default.
     */
    default void prepareViews(Preprocessor views) {}

    @Override
    void close();
}
