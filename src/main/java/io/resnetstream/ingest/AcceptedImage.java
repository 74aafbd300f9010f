package io.resnetstream.ingest;

/**
 * An input that passed intake: its id, the encoded image (inline or fetched) and the event time if any.
 * Its header was checked against the limits; the pixels are decoded later, in the batch.
 */
public record AcceptedImage(String imageId, byte[] image, Long eventTime) {}
