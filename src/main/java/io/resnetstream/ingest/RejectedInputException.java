package io.resnetstream.ingest;

/** An input that cannot be classified: it goes to the dead-letter topic with {@link #reason()}. */
public class RejectedInputException extends Exception {
    private final RejectReason reason;

    public RejectedInputException(RejectReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RejectedInputException(RejectReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
