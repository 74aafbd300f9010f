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

    /** 8-bit BGR; orientation is left to {@link ExifOrientation} so that the ImageIO path gets the same treatment. */
    private static final int OPENCV_FLAGS = Imgcodecs.IMREAD_COLOR | Imgcodecs.IMREAD_IGNORE_ORIENTATION;

    private final ImageLimits limits;

    public ImageDecoder(ImageLimits limits) {
        this.limits = limits;
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
     * {@link #decode}, then the shorter side resized to {@code shorterSide} exactly as
     * {@link Preprocessor#resizeShorterSide} does, but in native memory: the full-size pixels are never copied to
     * the heap and back, and the channel swap to RGB runs on the small image (resizing treats each channel alike, so
     * the order of the two does not change a pixel).
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
        Mat stored = decodeStored(info, data);
        Mat upright = null;
        try {
            if (stored.empty()) {
                throw undecodable(info, "the decoder rejected the data", null);
            }
            if (stored.cols() != info.width() || stored.rows() != info.height()) {
                throw undecodable(
                        info,
                        "decoded " + stored.cols() + "x" + stored.rows() + " but the header says " + info.width() + "x"
                                + info.height(),
                        null);
            }
            upright = ExifOrientation.apply(stored, info.exifOrientation());
            if (shorterSide == 0 || Math.min(upright.cols(), upright.rows()) == shorterSide) {
                return OpenCv.toRgbImage(upright);
            }
            Mat resized = Preprocessor.resizeShorterSide(upright, shorterSide);
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

    private static Mat decodeStored(ImageInfo info, byte[] data) throws RejectedInputException {
        boolean viaImageIo = info.format() == ImageFormat.GIF || info.jpegComponents() == 4;
        try {
            return viaImageIo ? ImageIoDecoding.decodeBgr(data, info.format()) : decodeWithOpenCv(data);
        } catch (IOException | RuntimeException e) {
            // decoders signal corrupt input with all sorts of runtime exceptions
            throw undecodable(info, e.toString(), e);
        }
    }

    private static Mat decodeWithOpenCv(byte[] data) {
        MatOfByte encoded = new MatOfByte(data);
        try {
            return Imgcodecs.imdecode(encoded, OPENCV_FLAGS);
        } finally {
            encoded.release();
        }
    }

    private static RejectedInputException undecodable(ImageInfo info, String why, Throwable cause) {
        return new RejectedInputException(
                RejectReason.UNDECODABLE, info.format().id() + ": " + why, cause);
    }
}
