package io.resnetstream.outcome;

/** An input that cannot be classified: it goes to the dead-letter topic with {@link #reason()}. */
public class RejectedInputException extends Exception {
    private final RejectReason reason;
    private final String imageId;

    public RejectedInputException(RejectReason reason, String message) {
        this(reason, message, null, null);
    }

    public RejectedInputException(RejectReason reason, String message, Throwable cause) {
        this(reason, message, cause, null);
    }

    private RejectedInputException(RejectReason reason, String message, Throwable cause, String imageId) {
        super(message, cause);
        this.reason = reason;
        this.imageId = imageId;
    }

    /** The same rejection, naming the image it concerns (known once the event was read). */
    public RejectedInputException forImage(String id) {
        return new RejectedInputException(reason, getMessage(), this, id);
    }

    public RejectReason reason() {
        return reason;
    }

    /** The image's id when it was known, else null. */
    public String imageId() {
        return imageId;
    }
}
