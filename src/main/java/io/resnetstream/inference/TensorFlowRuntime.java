package io.resnetstream.inference;

import ai.djl.engine.Engine;

/**
 * Loads DJL's TensorFlow engine once. The TensorFlow Java API ({@code org.tensorflow.*}) throws
 * {@link UnsatisfiedLinkError} unless the engine has loaded the native libraries first, so every class that builds
 * graphs calls {@link #engine()} before touching it.
 */
public final class TensorFlowRuntime {

    private static final String ENGINE_NAME = "TensorFlow";

    private TensorFlowRuntime() {}

    /** The engine, loading its natives on first use. */
    public static Engine engine() {
        return Engine.getEngine(ENGINE_NAME);
    }

    /** DJL's engine name, for {@code Criteria.optEngine}. */
    public static String engineName() {
        return ENGINE_NAME;
    }
}
