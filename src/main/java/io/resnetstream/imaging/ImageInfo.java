package io.resnetstream.imaging;

/**
 * What the decoder learns from an image's first bytes, before any pixel is decoded.
 *
 * @param width           width as stored (before EXIF orientation)
 * @param height          height as stored
 * @param exifOrientation EXIF orientation 1..8 (JPEG only; 1 = as stored)
 * @param jpegComponents  colour components in the JPEG frame (1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK); 0 for other formats
 * @param jpegScanOffset  where the first JPEG scan's entropy-coded data starts; 0 for other formats
 */
record ImageInfo(
        ImageFormat format, long width, long height, int exifOrientation, int jpegComponents, int jpegScanOffset) {

    static ImageInfo of(ImageFormat format, long width, long height) {
        return new ImageInfo(format, width, height, ExifOrientation.NORMAL, 0, 0);
    }

    /** Only meaningful once each side is known to fit an int (no overflow then). */
    long pixels() {
        return width * height;
    }

    ImageHeader displayHeader() {
        boolean swapped = ExifOrientation.swapsAxes(exifOrientation);
        return new ImageHeader(format.id(), (int) (swapped ? height : width), (int) (swapped ? width : height));
    }
}
