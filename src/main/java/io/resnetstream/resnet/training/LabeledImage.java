package io.resnetstream.resnet.training;

import java.awt.image.BufferedImage;

import io.resnetstream.imaging.DecodedImage;

/**
 * An 8-bit RGB image with its class.
 *
 * @param label  index into {@link ShapeKind#values()}
 * @param width  pixels per row
 * @param height rows
 * @param rgb    {@code height × width × 3} bytes, row-major, R G B
 */
public record LabeledImage(int label, int width, int height, byte[] rgb) {

    public LabeledImage {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException(
                    width + "x" + height + " RGB needs " + width * height * 3 + " bytes, got " + rgb.length);
        }
    }

    /** Copies the pixels of an image of any type. */
    public static LabeledImage of(int label, BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }
        return new LabeledImage(label, width, height, rgb);
    }

    /** The same pixels as the pipeline's image type (not copied). */
    public DecodedImage pixels() {
        return new DecodedImage(width, height, rgb);
    }

    /** The class name. */
    public String labelName() {
        return ShapeKind.values()[label].label();
    }

    /** The pixels as a {@link BufferedImage#TYPE_INT_RGB} image, e.g. to encode as JPEG. */
    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] argb = new int[width * height];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = (rgb[3 * i] & 0xff) << 16 | (rgb[3 * i + 1] & 0xff) << 8 | (rgb[3 * i + 2] & 0xff);
        }
        image.setRGB(0, 0, width, height, argb, 0, width);
        return image;
    }

    /** Shrinks by an integer factor, each output pixel the mean of a factor×factor block (OpenCV's INTER_AREA). */
    public LabeledImage shrink(int factor) {
        if (factor == 1) {
            return this;
        }
        if (width % factor != 0 || height % factor != 0) {
            throw new IllegalArgumentException(width + "x" + height + " is not divisible by " + factor);
        }
        int w = width / factor;
        int h = height / factor;
        byte[] out = new byte[w * h * 3];
        int area = factor * factor;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int dy = 0; dy < factor; dy++) {
                        int row = ((y * factor + dy) * width + x * factor) * 3 + c;
                        for (int dx = 0; dx < factor; dx++) {
                            sum += rgb[row + dx * 3] & 0xff;
                        }
                    }
                    out[(y * w + x) * 3 + c] = (byte) ((sum + area / 2) / area);
                }
            }
        }
        return new LabeledImage(label, w, h, out);
    }
}
