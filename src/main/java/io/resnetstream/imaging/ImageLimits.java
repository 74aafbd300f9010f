package io.resnetstream.imaging;

/**
 * Bounds on one input image, checked before any pixel is decoded.
 *
 * @param maxBytes  largest encoded image accepted, in bytes
 * @param maxPixels largest width × height accepted, read from the image header
 */
public record ImageLimits(long maxBytes, long maxPixels) {

    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    public ImageLimits {
        if (maxBytes <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException("limits must be positive: maxBytes=" + maxBytes + ", maxPixels=" + maxPixels);
        }
    }

    /** 20 MiB and 40 megapixels. */
    public static ImageLimits defaults() {
        return new ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
    }
}
