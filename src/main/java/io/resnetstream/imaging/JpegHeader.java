package io.resnetstream.imaging;

import io.resnetstream.outcome.RejectedInputException;

import static io.resnetstream.imaging.Bytes.u16be;
import static io.resnetstream.imaging.Bytes.u8;
import static io.resnetstream.imaging.HeaderReader.require;
import static io.resnetstream.imaging.HeaderReader.undecodable;

/** Walks the JPEG marker segments up to the first scan: frame size, component count, EXIF orientation. */
final class JpegHeader {

    private static final int SOS = 0xDA;
    private static final int EOI = 0xD9;
    private static final int APP1 = 0xE1;
    private static final byte[] EXIF_ID = {'E', 'x', 'i', 'f', 0, 0};

    private JpegHeader() {}

    static ImageInfo read(byte[] d) throws RejectedInputException {
        int pos = 2; // after SOI
        long width = -1;
        long height = -1;
        int components = 0;
        int orientation = ExifOrientation.NORMAL;
        boolean exifSeen = false;
        while (true) {
            require(d, pos + 2, ImageFormat.JPEG);
            if (u8(d, pos) != 0xFF) {
                throw undecodable(ImageFormat.JPEG, "expected a marker at byte " + pos);
            }
            while (pos < d.length && u8(d, pos) == 0xFF) {
                pos++; // a marker may be preceded by any number of 0xFF fill bytes
            }
            require(d, pos + 1, ImageFormat.JPEG);
            int marker = u8(d, pos++);
            if (isStandalone(marker)) {
                continue;
            }
            if (marker == EOI) {
                throw undecodable(ImageFormat.JPEG, "no scan");
            }
            require(d, pos + 2, ImageFormat.JPEG);
            int segmentLength = u16be(d, pos);
            if (segmentLength < 2) {
                throw undecodable(ImageFormat.JPEG, "bad segment length at byte " + pos);
            }
            int segmentEnd = pos + segmentLength;
            require(d, segmentEnd, ImageFormat.JPEG);
            if (isStartOfFrame(marker) && width < 0) {
                require(d, pos + 8, ImageFormat.JPEG);
                height = u16be(d, pos + 3);
                width = u16be(d, pos + 5);
                components = u8(d, pos + 7);
            } else if (marker == APP1 && !exifSeen && ImageFormat.startsWith(d, pos + 2, EXIF_ID)) {
                exifSeen = true;
                int tiffStart = pos + 2 + EXIF_ID.length;
                orientation = ExifOrientation.read(d, tiffStart, segmentEnd - tiffStart);
            } else if (marker == SOS) {
                if (width < 0) {
                    throw undecodable(ImageFormat.JPEG, "scan before frame header");
                }
                // height 0 would mean "defined later by a DNL marker": rejected by HeaderReader as no size
                return new ImageInfo(ImageFormat.JPEG, width, height, orientation, components, segmentEnd);
            }
            pos = segmentEnd;
        }
    }

    /**
     * Whether an end-of-image marker follows the scan data. libjpeg decodes a truncated file into a
     * partly grey image with only a warning, so truncation is detected here instead. Inside
     * entropy-coded data a 0xFF byte is always followed by 0x00 or a restart marker, so the first
     * 0xFF 0xD9 after the first scan is the image's own end (data appended after it is ignored).
     */
    static boolean hasEndOfImage(byte[] d, int scanOffset) {
        for (int i = scanOffset; i < d.length - 1; i++) {
            if (d[i] == (byte) 0xFF && d[i + 1] == (byte) EOI) {
                return true;
            }
        }
        return false;
    }

    /**
     * The scans from the first one to the end of the image, counting no further than {@code stopAt}. Each later
     * scan starts with an SOS marker (0xFF 0xDA), which entropy-coded data cannot contain (see
     * {@link #hasEndOfImage}).
     */
    static int countScans(byte[] d, int scanOffset, int stopAt) {
        int scans = 1;
        for (int i = scanOffset; i < d.length - 1 && scans < stopAt; i++) {
            if (d[i] == (byte) 0xFF) {
                int marker = d[i + 1] & 0xFF;
                if (marker == EOI) {
                    break;
                }
                if (marker == SOS) {
                    scans++;
                }
            }
        }
        return scans;
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /** Markers without a length field: TEM, RST0..7, SOI. */
    private static boolean isStandalone(int marker) {
        return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8);
    }
}
