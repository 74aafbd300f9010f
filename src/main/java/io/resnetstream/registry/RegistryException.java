package io.resnetstream.registry;

/**
 * A schema registry call failed: the registry answered with an error, answered nonsense, or could not be
 * reached at all ({@link #httpStatus()} is then 0). The message names the registry URL.
 */
public class RegistryException extends RuntimeException {
    private final int httpStatus;
    private final int errorCode;

    public RegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** The HTTP status of the registry's answer, or 0 when none came. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The Confluent {@code error_code} of the answer (e.g. 40401), or 0 when it had none. */
    public int errorCode() {
        return errorCode;
    }
}
