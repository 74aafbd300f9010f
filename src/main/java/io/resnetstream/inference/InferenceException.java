package io.resnetstream.inference;

/** A forward pass failed inside the engine: the model or the native runtime is at fault, not one input. */
public class InferenceException extends RuntimeException {

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
