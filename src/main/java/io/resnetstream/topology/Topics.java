package io.resnetstream.topology;

/** Default topic names; reused by tests and tools. Each is configurable (see README). */
public final class Topics {
    public static final String IMAGES = "images";
    public static final String PREDICTIONS = "predictions";
    public static final String DEAD_LETTERS = "images-dlq";

    private Topics() {
    }
}
