package io.resnetstream.outcome;

import java.util.Optional;

/** An input that cannot be classified: it goes to the dead-letter topic with {@link #reason()}. */
public class RejectedInputException extends Exception {
    private final RejectReason reason;
    private final String imageId;
    private final byte[] keptPayload;

    public RejectedInputException(RejectReason reason, String message) {
        this(reason, message, null, null, null);
    }

    public RejectedInputException(RejectReason reason, String message, Throwable cause) {
        this(reason, message, cause, null, null);
    }

    private RejectedInputException(
            RejectReason reason, String message, Throwable cause, String imageId, byte[] keptPayload) {
        super(message, cause);
        this.reason = reason;
        this.imageId = imageId;
        this.keptPayload = keptPayload;
    }

    /** The same rejection, naming the image it concerns (known once the event was read). */
    public RejectedInputException forImage(String id) {
        return new RejectedInputException(reason, getMessage(), this, id, keptPayload);
    }

    /**
     * The same rejection, saying what its dead letter keeps of the input instead of the input's own bytes: a copy
     * with the secrets of a URI masked (docs/operations.md, Security).
     */
    public RejectedInputException keeping(byte[] payload) {
        return new RejectedInputException(reason, getMessage(), this, imageId, payload);
    }

    public RejectReason reason() {
        return reason;
    }

    /** The image's id when it was known, else null. */
    public String imageId() {
        return imageId;
    }

    /** What the dead letter keeps in place of the input's bytes, when intake chose; else empty. */
    public Optional<byte[]> keptPayload() {
        return Optional.ofNullable(keptPayload);
    }
}
