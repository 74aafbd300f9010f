package io.resnetstream.imaging;

/**
 * An 8-bit RGB image, channels interleaved, rows top to bottom (HWC).
 * The array is not copied: treat it as read-only once the image is built.
 */
public record DecodedImage(int width, int height, byte[] rgb) {

    public DecodedImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("empty image: " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " bytes for " + width + "x"
                    + height + " RGB, got " + rgb.length);
        }
    }
}
