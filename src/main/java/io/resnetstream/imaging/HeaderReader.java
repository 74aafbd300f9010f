package io.resnetstream.imaging;

import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

import static io.resnetstream.imaging.Bytes.s32le;
import static io.resnetstream.imaging.Bytes.u16le;
import static io.resnetstream.imaging.Bytes.u24le;
import static io.resnetstream.imaging.Bytes.u32be;
import static io.resnetstream.imaging.Bytes.u32le;
import static io.resnetstream.imaging.Bytes.u8;
import static io.resnetstream.imaging.ImageFormat.ascii;
import static io.resnetstream.imaging.ImageFormat.startsWith;

/**
 * Reads an image's dimensions from its header bytes. Parsed by hand rather than through a codec so that
 * nothing sized by the (untrusted) header is allocated before the pixel limit is checked.
 */
final class HeaderReader {

    private HeaderReader() {}

    static ImageInfo read(ImageFormat format, byte[] data) throws RejectedInputException {
        ImageInfo info =
                switch (format) {
                    case JPEG -> JpegHeader.read(data);
                    case PNG -> png(data);
                    case GIF -> gif(data);
                    case BMP -> bmp(data);
                    case WEBP -> webp(data);
                };
        if (info.width() <= 0 || info.height() <= 0) {
            throw undecodable(format, "header gives no size: " + info.width() + "x" + info.height());
        }
        return info;
    }

    /** Signature, then the IHDR chunk, which the PNG specification requires first. */
    private static ImageInfo png(byte[] d) throws RejectedInputException {
        require(d, 24, ImageFormat.PNG);
        if (u32be(d, 8) != 13 || !startsWith(d, 12, ascii("IHDR"))) {
            throw undecodable(ImageFormat.PNG, "first chunk is not IHDR");
        }
        return ImageInfo.of(ImageFormat.PNG, u32be(d, 16), u32be(d, 20));
    }

    /**
     * The size of the first frame, which is what gets decoded. The logical screen size is not used:
     * a frame may claim more than the screen, and the frame size is what a decoder allocates.
     */
    private static ImageInfo gif(byte[] d) throws RejectedInputException {
        require(d, 13, ImageFormat.GIF);
        int flags = u8(d, 10);
        int pos = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 0x07) + 1) : 0);
        while (true) {
            require(d, pos + 1, ImageFormat.GIF);
            int block = u8(d, pos);
            if (block == 0x2C) {
                require(d, pos + 9, ImageFormat.GIF);
                return ImageInfo.of(ImageFormat.GIF, u16le(d, pos + 5), u16le(d, pos + 7));
            }
            if (block != 0x21) {
                throw undecodable(ImageFormat.GIF, "no image descriptor before block 0x" + Integer.toHexString(block));
            }
            pos += 2; // extension introducer and label, then data sub-blocks up to an empty one
            while (true) {
                require(d, pos + 1, ImageFormat.GIF);
                int size = u8(d, pos);
                pos += 1 + size;
                if (size == 0) {
                    break;
                }
            }
        }
    }

    /** BITMAPCOREHEADER (16-bit sizes) or any later info header (signed 32-bit; negative height = top-down). */
    private static ImageInfo bmp(byte[] d) throws RejectedInputException {
        require(d, 26, ImageFormat.BMP);
        long headerSize = u32le(d, 14);
        if (headerSize == 12) {
            return ImageInfo.of(ImageFormat.BMP, u16le(d, 18), u16le(d, 20));
        }
        return ImageInfo.of(ImageFormat.BMP, s32le(d, 18), Math.abs((long) s32le(d, 22)));
    }

    /** RIFF container; the first chunk is a lossy (VP8), lossless (VP8L) or extended (VP8X) header. */
    private static ImageInfo webp(byte[] d) throws RejectedInputException {
        require(d, 30, ImageFormat.WEBP);
        if (startsWith(d, 12, ascii("VP8 "))) {
            if (u8(d, 23) != 0x9D || u8(d, 24) != 0x01 || u8(d, 25) != 0x2A) {
                throw undecodable(ImageFormat.WEBP, "bad VP8 start code");
            }
            return ImageInfo.of(ImageFormat.WEBP, u16le(d, 26) & 0x3FFF, u16le(d, 28) & 0x3FFF);
        }
        if (startsWith(d, 12, ascii("VP8L"))) {
            if (u8(d, 20) != 0x2F) {
                throw undecodable(ImageFormat.WEBP, "bad VP8L signature");
            }
            long bits = u32le(d, 21);
            return ImageInfo.of(ImageFormat.WEBP, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
        }
        if (startsWith(d, 12, ascii("VP8X"))) {
            if ((u8(d, 20) & 0x02) != 0) {
                // OpenCV 4.9 decodes still WebP only
                throw new RejectedInputException(RejectReason.UNSUPPORTED_FORMAT, "animated WebP is not supported");
            }
            return ImageInfo.of(ImageFormat.WEBP, u24le(d, 24) + 1L, u24le(d, 27) + 1L);
        }
        throw undecodable(ImageFormat.WEBP, "unknown first chunk");
    }

    static void require(byte[] d, int length, ImageFormat format) throws RejectedInputException {
        if (d.length < length) {
            throw undecodable(format, "header truncated");
        }
    }

    static RejectedInputException undecodable(ImageFormat format, String why) {
        return new RejectedInputException(RejectReason.UNDECODABLE, format.id() + ": " + why);
    }
}
