package io.resnetstream.ingest;

import java.util.Locale;

/** How the images topic's values are encoded. */
public enum InputFormat {
    /** An {@code ImageEvent} in the Confluent wire format (schema id from the registry). */
    AVRO,
    /** The value is the encoded image itself; the key is the image id. */
    RAW;

    public static InputFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("input format must be avro or raw, not '" + name + "'");
        }
    }
}
