package io.resnetstream.imaging;

/**
 * One square view of the resized image.
 *
 * @param x       left column of the crop
 * @param y       top row of the crop
 * @param size    side length in pixels
 * @param flipped whether the view is mirrored left to right (output column i is crop column size - 1 - i)
 */
public record CropBox(int x, int y, int size, boolean flipped) {

    public CropBox {
        if (x < 0 || y < 0 || size <= 0) {
            throw new IllegalArgumentException("bad crop box: " + x + "," + y + " size " + size);
        }
    }
}
