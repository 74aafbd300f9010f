package io.resnetstream.outcome;

/** Why an input went to the dead-letter topic. The names are a stable contract (DeadLetter.reason). */
public enum RejectReason {
    /** The value is not a valid event (bad wire format, bad Avro, no image in it). */
    MALFORMED_EVENT,
    /** The value names a schema id the registry does not know. */
    UNKNOWN_SCHEMA,
    /** The value names a schema the registry holds but an Avro reader cannot use (PROTOBUF, JSON, references). */
    UNSUPPORTED_SCHEMA,
    /** Intake failed on the record in a way no check foresaw; the record, not the service, is set aside. */
    INTAKE_FAILED,
    /** The image id (a raw record's key, an event's imageId) is longer than the limit or not valid UTF-8. */
    INVALID_ID,
    /** More bytes than the configured limit (the message or a fetched image). */
    TOO_LARGE,
    /** Width × height above the pixel limit, read from the header before any decode. */
    TOO_MANY_PIXELS,
    /** A JPEG with more scans than the limit: its decode time grows with each scan. */
    TOO_MANY_SCANS,
    /** Not an image format we decode. */
    UNSUPPORTED_FORMAT,
    /** Looked like an image but failed to decode (truncated, corrupt). */
    UNDECODABLE,
    /** A URI whose scheme or location the configuration does not allow. */
    URI_NOT_ALLOWED,
    /** An allowed URI that could not be fetched. */
    FETCH_FAILED,
    /** Ran out of memory while decoding or cropping this image. */
    OUT_OF_MEMORY,
    /**
     * Buffered, then the process restarted (crash, rebalance) and the input record was no longer in the input topic
     * to read its image again: the topic's retention deleted it (or the topic was recreated) meanwhile.
     */
    EXPIRED,
    /** Went into several batches that never finished (crash, hang, out of memory): quarantined, not run again. */
    POISON
}
