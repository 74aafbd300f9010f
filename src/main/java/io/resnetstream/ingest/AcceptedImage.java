package io.resnetstream.ingest;

/**
 * An input that passed intake: its id, its image (inline bytes, or the URI to fetch them from) and the event time if
 * any. Inline bytes had their header checked against the limits; a URI was checked against the policy only, and its
 * bytes are fetched (and checked the same way) when its batch is prepared, off the stream thread
 * ({@link ImageIntake#fetched}). The pixels are decoded later, in the batch.
 *
 * @param image the inline image, or null when {@code uri} is set
 * @param uri where the image is, or null when {@code image} is set
 */
public record AcceptedImage(String imageId, byte[] image, String uri, Long eventTime) {
    public AcceptedImage {
        if ((image == null) == (uri == null)) {
            throw new IllegalArgumentException("exactly one of image and uri");
        }
    }

    /** The inline image's size; 0 for a URI, whose size is known once fetched. */
    public int knownBytes() {
        return image == null ? 0 : image.length;
    }
}
