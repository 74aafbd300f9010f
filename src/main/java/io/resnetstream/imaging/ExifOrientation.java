package io.resnetstream.imaging;

import org.opencv.core.Core;
import org.opencv.core.Mat;

import static io.resnetstream.imaging.Bytes.u16be;
import static io.resnetstream.imaging.Bytes.u16le;
import static io.resnetstream.imaging.Bytes.u32be;
import static io.resnetstream.imaging.Bytes.u32le;

/**
 * The EXIF orientation tag (0x0112): how the stored pixels must be turned to be seen upright.
 * Applied by this class for every JPEG path (OpenCV and ImageIO) so both agree; the transforms are
 * the ones OpenCV's own imread uses.
 */
final class ExifOrientation {

    static final int NORMAL = 1;
    private static final int ORIENTATION_TAG = 0x0112;
    private static final int TYPE_SHORT = 3;

    private ExifOrientation() {}

    /**
     * The orientation in the TIFF structure at {@code [start, start + length)} of {@code d}, or
     * {@link #NORMAL} when it is absent or malformed (a broken EXIF block must not reject an image).
     */
    static int read(byte[] d, int start, int length) {
        int end = Math.min(d.length, start + length);
        if (end - start < 8) {
            return NORMAL;
        }
        boolean little;
        if (d[start] == 'I' && d[start + 1] == 'I') {
            little = true;
        } else if (d[start] == 'M' && d[start + 1] == 'M') {
            little = false;
        } else {
            return NORMAL;
        }
        long ifd = start + (little ? u32le(d, start + 4) : u32be(d, start + 4));
        if (ifd + 2 > end) {
            return NORMAL;
        }
        int entries = little ? u16le(d, (int) ifd) : u16be(d, (int) ifd);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > end) {
                return NORMAL;
            }
            int tag = little ? u16le(d, entry) : u16be(d, entry);
            if (tag == ORIENTATION_TAG) {
                int type = little ? u16le(d, entry + 2) : u16be(d, entry + 2);
                int value = little ? u16le(d, entry + 8) : u16be(d, entry + 8);
                return type == TYPE_SHORT && value >= 1 && value <= 8 ? value : NORMAL;
            }
        }
        return NORMAL;
    }

    /** Orientations 5 to 8 turn the image a quarter: width and height trade places. */
    static boolean swapsAxes(int orientation) {
        return orientation >= 5;
    }

    /** The upright image: {@code stored} itself for orientation 1, otherwise a new Mat. */
    static Mat apply(Mat stored, int orientation) {
        if (orientation == NORMAL) {
            return stored;
        }
        Mat upright = new Mat();
        switch (orientation) {
            case 2 -> Core.flip(stored, upright, 1);
            case 3 -> Core.rotate(stored, upright, Core.ROTATE_180);
            case 4 -> Core.flip(stored, upright, 0);
            case 5 -> Core.transpose(stored, upright);
            case 6 -> Core.rotate(stored, upright, Core.ROTATE_90_CLOCKWISE);
            case 7 -> {
                Core.transpose(stored, upright);
                Core.flip(upright, upright, -1);
            }
            case 8 -> Core.rotate(stored, upright, Core.ROTATE_90_COUNTERCLOCKWISE);
            default -> throw new IllegalArgumentException("EXIF orientation " + orientation);
        }
        return upright;
    }
}
