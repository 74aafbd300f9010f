package io.resnetstream.imaging;

/**
 * What an image's header says, read without decoding pixels.
 *
 * @param format "jpeg", "png", "gif", "bmp" or "webp"
 * @param width  width as displayed, that is after the JPEG EXIF orientation (equal to the decoded width)
 * @param height height as displayed
 */
public record ImageHeader(String format, int width, int height) {

    public long pixels() {
        return (long) width * height;
    }
}
