package io.resnetstream.inference;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where an image's views (crops, flips, normalisation) are made: what the host hands to the model. */
public enum ViewPlacement {
    /**
     * The host decodes and resizes the shorter side to S; the engine cuts the views, normalises, runs the network and
     * averages ({@link Classifier#classifyResized}): 8-bit pixels cross to the model, not float views.
     */
    ENGINE,
    /** The host makes every view as floats and the engine only runs the network: the earlier path, for comparison. */
    HOST;

    /** The configuration spelling: "engine" or "host". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts "engine" or "host", ignoring case. */
    public static ViewPlacement parse(String text) {
        String wanted = text.trim().toUpperCase(Locale.ROOT);
        for (ViewPlacement placement : values()) {
            if (placement.name().equals(wanted)) {
                return placement;
            }
        }
        throw new IllegalArgumentException("unknown view placement '" + text + "', expected one of "
                + Arrays.stream(values()).map(ViewPlacement::id).collect(Collectors.joining(", ")));
    }
}
