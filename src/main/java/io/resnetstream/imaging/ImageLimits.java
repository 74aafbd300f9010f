package io.resnetstream.imaging;

/**
 * Bounds on one input image, checked from its header before any pixel is decoded.
 *
 * @param maxBytes          largest encoded image accepted, in bytes
 * @param maxPixels         largest width × height accepted
 * @param maxJpegScans      most scans a JPEG may have: a progressive JPEG's decode time grows with its scans, and
 *                          a small file can carry thousands of them
 * @param resizeShorterSide the shorter side S the image is resized to before cropping; 0 when not known, which
 *                          leaves {@code maxResizedPixels} unchecked
 * @param maxResizedPixels  largest width × height after resizing the shorter side to S: a 512×1 image is tiny,
 *                          but resized to S = 256 it is 131072×256
 */
public record ImageLimits(
        long maxBytes, long maxPixels, int maxJpegScans, int resizeShorterSide, long maxResizedPixels) {

    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /** libjpeg's own progressive scripts use about ten scans; a hundred leaves room for unusual encoders. */
    public static final int DEFAULT_MAX_JPEG_SCANS = 100;
    /** 2048² pixels: at S = 256 an aspect ratio of 64:1. */
    public static final long DEFAULT_MAX_RESIZED_PIXELS = 2048L * 2048;

    public ImageLimits {
        if (maxBytes <= 0 || maxPixels <= 0 || maxJpegScans <= 0 || resizeShorterSide < 0 || maxResizedPixels <= 0) {
            throw new IllegalArgumentException("limits must be positive: maxBytes=" + maxBytes + ", maxPixels="
                    + maxPixels + ", maxJpegScans=" + maxJpegScans + ", resizeShorterSide=" + resizeShorterSide
                    + ", maxResizedPixels=" + maxResizedPixels);
        }
    }

    /** Size limits with the default scan limit, and no resize known yet. */
    public ImageLimits(long maxBytes, long maxPixels) {
        this(maxBytes, maxPixels, DEFAULT_MAX_JPEG_SCANS, 0, DEFAULT_MAX_RESIZED_PIXELS);
    }

    /** 20 MiB, 40 megapixels, 100 JPEG scans; no resize known. */
    public static ImageLimits defaults() {
        return new ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
    }

    /** These limits for images resized to a shorter side of {@code shorterSide}. */
    public ImageLimits forResize(int shorterSide, long maxResizedPixels) {
        return new ImageLimits(maxBytes, maxPixels, maxJpegScans, shorterSide, maxResizedPixels);
    }

    /** These limits with another JPEG scan limit. */
    public ImageLimits withMaxJpegScans(int scans) {
        return new ImageLimits(maxBytes, maxPixels, scans, resizeShorterSide, maxResizedPixels);
    }
}
