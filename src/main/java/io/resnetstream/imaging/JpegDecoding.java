package io.resnetstream.imaging;

/**
 * How a JPEG is decoded when only its resized image is wanted ({@link ImageDecoder#decodeResized}).
 *
 * <p>A JPEG stores 8×8 blocks of frequencies, so libjpeg can decode it straight at 1/2, 1/4 or 1/8 of its size,
 * skipping most of the inverse transforms and colour conversion (what PIL's {@code draft} mode and TensorFlow's
 * {@code decode_jpeg(ratio=…)} do). The image is then resized to the same size as a full decode would be.
 * The pixels differ a little from a full decode's (the reduction is a block average, not OpenCV's area
 * resampling), so predictions can move in the last digits; {@link #FULL} keeps decode-then-resize exactly.
 */
public enum JpegDecoding {
    /** Decode at the smallest of 1/8, 1/4, 1/2 that still leaves the shorter side at least S, then resize. */
    SCALED,
    /** Decode at full size, then resize: the pixels of {@link ImageDecoder#decode} + {@link Preprocessor}. */
    FULL;

    /**
     * The scale denominator for an image of {@code width × height} resized to a shorter side of {@code shorterSide}:
     * 8, 4, 2, or 1 when no reduction leaves enough pixels (libjpeg rounds a reduced side up).
     */
    int denominator(long width, long height, int shorterSide) {
        if (this == FULL) {
            return 1;
        }
        long shorter = Math.min(width, height);
        for (int d = 8; d >= 2; d /= 2) {
            if ((shorter + d - 1) / d >= shorterSide) {
                return d;
            }
        }
        return 1;
    }
}
