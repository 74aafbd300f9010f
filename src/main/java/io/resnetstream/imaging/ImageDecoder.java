package io.resnetstream.imaging;

import java.io.IOException;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

/**
 * Decodes JPEG, PNG, GIF, BMP and WebP into 8-bit RGB, enforcing {@link ImageLimits} before any pixel
 * is decoded: the byte size first, then width × height as read from the header, the size once resized, and a
 * JPEG's scan count.
 *
 * <p>Everything becomes 8-bit RGB: grey is replicated, 16-bit samples keep their high byte, palettes are
 * expanded, and <b>alpha is dropped</b> (the stored colour is kept, not composited), as PIL's
 * {@code convert("RGB")} does in the Keras and torchvision loaders. JPEG EXIF orientation is applied.
 * GIF and WebP give their first frame; animated WebP is refused.
 *
 * <p>OpenCV decodes the common case (PNG about twice as fast as ImageIO, JPEG on par, and WebP, which ImageIO
 * lacks). CMYK/YCCK JPEG goes through ImageIO with TwelveMonkeys, which applies an embedded ICC profile
 * (OpenCV converts CMYK naively), and GIF through the JDK's reader (OpenCV 4.9 has none).
 * Thread-safe: no mutable state.
 */
public final class ImageDecoder {

    private final ImageLimits limits;
    private final JpegDecoding jpegDecoding;

    /** Decodes a JPEG that is to be resized at the smallest scale that keeps enough pixels ({@link JpegDecoding}). */
    public ImageDecoder(ImageLimits limits) {
        this(limits, JpegDecoding.SCALED);
    }

    public ImageDecoder(ImageLimits limits, JpegDecoding jpegDecoding) {
        this.limits = limits;
        this.jpegDecoding = jpegDecoding;
        OpenCv.load();
    }

    public ImageLimits limits() {
        return limits;
    }

    /**
     * Format and displayed size from the header alone. Rejects with TOO_LARGE, UNSUPPORTED_FORMAT,
     * UNDECODABLE (a header that cannot be read) or TOO_MANY_PIXELS.
     */
    public ImageHeader probe(byte[] data) throws RejectedInputException {
        return inspect(data).displayHeader();
    }

    /** {@link #probe} first, then the pixels; rejects with UNDECODABLE when they cannot be decoded. */
    public DecodedImage decode(byte[] data) throws RejectedInputException {
        return decode(data, 0);
    }

    /**
     * {@link #decode}, then the shorter side resized to {@code shorterSide}, to the size
     * {@link Preprocessor#resizeShorterSide} gives, in native memory: the full-size pixels are never copied to
     * the heap and back, and the channel swap to RGB runs on the small image (resizing treats each channel alike, so
     * the order of the two does not change a pixel). With {@link JpegDecoding#FULL}, or for other formats, the very
     * pixels of decode-then-resize; with {@link JpegDecoding#SCALED} a JPEG is decoded reduced first.
     */
    public DecodedImage decodeResized(byte[] data, int shorterSide) throws RejectedInputException {
        if (shorterSide <= 0) {
            throw new IllegalArgumentException("shorter side must be positive, got " + shorterSide);
        }
        return decode(data, shorterSide);
    }

    /** @param shorterSide 0 to keep the decoded size */
    private DecodedImage decode(byte[] data, int shorterSide) throws RejectedInputException {
        ImageInfo info = inspect(data);
        if (info.format() == ImageFormat.JPEG && !JpegHeader.hasEndOfImage(data, info.jpegScanOffset())) {
            throw undecodable(info, "truncated: no end-of-image marker", null);
        }
        int reduction = shorterSide == 0 || info.format() != ImageFormat.JPEG || !decodedByOpenCv(info)
                ? 1
                : jpegDecoding.denominator(info.width(), info.height(), shorterSide);
        Mat stored = decodeStored(info, data, reduction);
        Mat upright = null;
        try {
            if (stored.empty()) {
                throw undecodable(info, "the decoder rejected the data", null);
            }
            // libjpeg rounds a reduced side up
            long width = (info.width() + reduction - 1) / reduction;
            long height = (info.height() + reduction - 1) / reduction;
            if (stored.cols() != width || stored.rows() != height) {
                throw undecodable(
                        info,
                        "decoded " + stored.cols() + "x" + stored.rows() + " but the header says " + info.width() + "x"
                                + info.height() + (reduction == 1 ? "" : " (decoded at 1/" + reduction + ")"),
                        null);
            }
            upright = ExifOrientation.apply(stored, info.exifOrientation());
            if (shorterSide == 0) {
                return OpenCv.toRgbImage(upright);
            }
            // the size a full decode resizes to, from the full size: a reduced decode ends at the same size
            long fullWidth =
                    reduction == 1 ? upright.cols() : info.displayHeader().width();
            long fullHeight =
                    reduction == 1 ? upright.rows() : info.displayHeader().height();
            if (Math.min(fullWidth, fullHeight) == shorterSide) {
                return OpenCv.toRgbImage(upright);
            }
            Mat resized = Preprocessor.resizeShorterSide(upright, fullWidth, fullHeight, shorterSide);
            try {
                return OpenCv.toRgbImage(resized);
            } finally {
                resized.release();
            }
        } finally {
            stored.release();
            if (upright != null) {
                upright.release();
            }
        }
    }

    private ImageInfo inspect(byte[] data) throws RejectedInputException {
        if (data.length > limits.maxBytes()) {
            throw new RejectedInputException(
                    RejectReason.TOO_LARGE, "image is " + data.length + " bytes, limit " + limits.maxBytes());
        }
        ImageFormat format = ImageFormat.sniff(data)
                .orElseThrow(() -> new RejectedInputException(
                        RejectReason.UNSUPPORTED_FORMAT, "not a JPEG, PNG, GIF, BMP or WebP image"));
        ImageInfo info = HeaderReader.read(format, data);
        // each side is checked alone first: two 32-bit PNG sides can overflow a long product
        if (info.width() > Integer.MAX_VALUE
                || info.height() > Integer.MAX_VALUE
                || info.pixels() > limits.maxPixels()) {
            throw new RejectedInputException(
                    RejectReason.TOO_MANY_PIXELS,
                    format.id() + " header says " + info.width() + "x" + info.height() + ", over the limit of "
                            + limits.maxPixels() + " pixels");
        }
        if (limits.resizeShorterSide() > 0) {
            int shorterSide = limits.resizeShorterSide();
            long longer = Preprocessor.resizedLonger(info.width(), info.height(), shorterSide);
            if (longer * shorterSide > limits.maxResizedPixels()) {
                throw new RejectedInputException(
                        RejectReason.TOO_MANY_PIXELS,
                        format.id() + " " + info.width() + "x"
                                + info.height() + " would be " + longer + "x" + shorterSide
                                + " once resized, over the limit of "
                                + limits.maxResizedPixels() + " pixels");
            }
        }
        if (format == ImageFormat.JPEG) {
            int scans = JpegHeader.countScans(data, info.jpegScanOffset(), limits.maxJpegScans() + 1);
            if (scans > limits.maxJpegScans()) {
                throw new RejectedInputException(
                        RejectReason.TOO_MANY_SCANS,
                        "jpeg has over " + limits.maxJpegScans() + " scans (decode time grows with each)");
            }
        }
        return info;
    }

    /** CMYK/YCCK JPEG and GIF go through ImageIO, everything else through OpenCV. */
    private static boolean decodedByOpenCv(ImageInfo info) {
        return info.format() != ImageFormat.GIF && info.jpegComponents() != 4;
    }

    /** @param reduction 1, or for a JPEG decoded by OpenCV 2, 4 or 8: its sides divided by that, rounded up */
    private static Mat decodeStored(ImageInfo info, byte[] data, int reduction) throws RejectedInputException {
        try {
            return decodedByOpenCv(info)
                    ? decodeWithOpenCv(data, reduction)
                    : ImageIoDecoding.decodeBgr(data, info.format());
        } catch (IOException | RuntimeException e) {
            // decoders signal corrupt input with all sorts of runtime exceptions
            throw undecodable(info, e.toString(), e);
        }
    }

    private static Mat decodeWithOpenCv(byte[] data, int reduction) {
        int colour =
                switch (reduction) {
                    case 1 -> Imgcodecs.IMREAD_COLOR;
                    case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
                    case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
                    case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
                    default -> throw new IllegalArgumentException("no decode at 1/" + reduction);
                };
        MatOfByte encoded = new MatOfByte(data);
        try {
            return Imgcodecs.imdecode(encoded, colour | Imgcodecs.IMREAD_IGNORE_ORIENTATION);
        } finally {
            encoded.release();
        }
    }

    private static RejectedInputException undecodable(ImageInfo info, String why, Throwable cause) {
        return new RejectedInputException(
                RejectReason.UNDECODABLE, info.format().id() + ": " + why, cause);
    }
}
