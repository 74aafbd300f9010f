package io.resnetstream.testing;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import io.resnetstream.imaging.DecodedImage;

/** Synthetic images, encoded in memory, for the imaging tests. */
public final class TestImages {

    public static final int RED = 0xFF0000;
    public static final int GREEN = 0x00FF00;
    public static final int BLUE = 0x0000FF;
    public static final int WHITE = 0xFFFFFF;

    private TestImages() {}

    /** Top-left red, top-right green, bottom-left blue, bottom-right white. */
    public static BufferedImage quadrants(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, quadrantColour(x, y, width, height));
            }
        }
        return image;
    }

    /** Random pixels: the largest encoding a size can have, in any format. */
    public static BufferedImage noise(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return image;
    }

    /** One colour all over. */
    public static BufferedImage solid(java.awt.Color colour, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    /** A white disc on a background whose colour follows {@code seed}: distinct, compressible test pictures. */
    public static BufferedImage disc(int seed, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setColor(new java.awt.Color(seed * 40 % 256, seed * 90 % 256, seed * 150 % 256));
        g.fillRect(0, 0, width, height);
        g.setColor(java.awt.Color.WHITE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        return image;
    }

    public static int quadrantColour(int x, int y, int width, int height) {
        boolean right = x >= width / 2;
        boolean bottom = y >= height / 2;
        return bottom ? (right ? WHITE : BLUE) : (right ? GREEN : RED);
    }

    public static byte[] encode(RenderedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and " + image);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] png(RenderedImage image) {
        return encode(image, "png");
    }

    /** Baseline JPEG at quality 0.95, written by the JDK's own encoder. */
    public static byte[] jpeg(RenderedImage image) {
        return jpeg(new IIOImage(image, null, null));
    }

    /**
     * A CMYK JPEG as Adobe writes them: four components, inverted samples, an APP14 "Adobe" segment with
     * transform 0 (no colour transform). {@code inks} are per-pixel {C, M, Y, K} rows, 0 = no ink.
     */
    public static byte[] cmykJpeg(int[][][] inks) {
        int height = inks.length;
        int width = inks[0].length;
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int[] ink = inks[y][x];
                raster.setPixel(x, y, new int[] {255 - ink[0], 255 - ink[1], 255 - ink[2], 255 - ink[3]});
            }
        }
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        return insertAfterSoi(jpeg(new IIOImage(raster, null, null)), adobe);
    }

    /** A progressive JPEG as the JDK's encoder writes it (several scans, each refining the last). */
    public static byte[] progressiveJpeg(RenderedImage image) {
        ImageWriter writer = jdkJpegWriter();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /**
     * {@code jpeg} with {@code extra} empty scans (SOS segments with no data) put before its end-of-image marker:
     * the shape of a small file that claims thousands of refinement scans.
     */
    public static byte[] withExtraScans(byte[] jpeg, int extra) {
        byte[] sos = {(byte) 0xFF, (byte) 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0};
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + extra * sos.length);
        out.write(jpeg, 0, jpeg.length - 2);
        for (int i = 0; i < extra; i++) {
            out.write(sos, 0, sos.length);
        }
        out.write(jpeg, jpeg.length - 2, 2);
        return out.toByteArray();
    }

    private static byte[] jpeg(IIOImage image) {
        ImageWriter writer = jdkJpegWriter();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.95f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static ImageWriter jdkJpegWriter() {
        var writers = ImageIO.getImageWritersByFormatName("jpeg");
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (writer.getClass().getName().startsWith("com.sun.imageio")) {
                return writer;
            }
        }
        throw new IllegalStateException("the JDK JPEG writer is missing");
    }

    /** An APP1 Exif segment holding one IFD0 entry: Orientation (0x0112, SHORT) = {@code orientation}. */
    public static byte[] exifOrientationSegment(int orientation, boolean littleEndian) {
        ByteBuffer tiff = ByteBuffer.allocate(26).order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        tiff.put(littleEndian ? (byte) 'I' : (byte) 'M').put(littleEndian ? (byte) 'I' : (byte) 'M');
        tiff.putShort((short) 42).putInt(8); // magic, offset of IFD0
        tiff.putShort((short) 1); // one entry
        tiff.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) orientation)
                .putShort((short) 0);
        tiff.putInt(0); // no next IFD
        byte[] exifId = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + exifId.length + tiff.capacity();
        ByteBuffer segment = ByteBuffer.allocate(2 + length);
        segment.put((byte) 0xFF)
                .put((byte) 0xE1)
                .putShort((short) length)
                .put(exifId)
                .put(tiff.array());
        return segment.array();
    }

    public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
        return insertAfterSoi(jpeg, exifOrientationSegment(orientation, littleEndian));
    }

    public static byte[] insertAfterSoi(byte[] jpeg, byte[] segment) {
        byte[] out = new byte[jpeg.length + segment.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(segment, 0, out, 2, segment.length);
        System.arraycopy(jpeg, 2, out, 2 + segment.length, jpeg.length - 2);
        return out;
    }

    /**
     * A structurally valid PNG whose IHDR claims {@code width × height} (8-bit RGB) with valid CRCs, followed
     * by one tiny IDAT: a decompression bomb if anything trusted the header and allocated.
     */
    public static byte[] pngClaiming(long width, long height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt((int) width).putInt((int) height);
        ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        writeChunk(out, "IHDR", ihdr.array());
        writeChunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        writeChunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** The JPEG with the size in its (first) SOF0 frame header replaced. */
    public static byte[] jpegClaiming(byte[] jpeg, int width, int height) {
        byte[] out = jpeg.clone();
        for (int i = 2; i < out.length - 9; i++) {
            if ((out[i] & 0xFF) == 0xFF && (out[i + 1] & 0xFF) == 0xC0) {
                ByteBuffer.wrap(out, i + 5, 4).putShort((short) height).putShort((short) width);
                return out;
            }
        }
        throw new IllegalArgumentException("no SOF0 marker");
    }

    /** A GIF whose logical screen is 1×1 but whose first frame claims {@code width × height}. */
    public static byte[] gifClaimingFrame(int width, int height) {
        ByteBuffer gif = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        gif.put("GIF89a".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) 1)
                .putShort((short) 1);
        gif.put((byte) 0).put((byte) 0).put((byte) 0); // no global colour table
        gif.put((byte) 0x21).put((byte) 0xF9).put((byte) 4).put(new byte[4]).put((byte) 0); // graphic control extension
        gif.put((byte) 0x2C)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) width)
                .putShort((short) height);
        gif.put((byte) 0).put((byte) 2).put((byte) 0).put((byte) 0x3B);
        return java.util.Arrays.copyOf(gif.array(), gif.position());
    }

    /** RGB of pixel (x, y) as 0xRRGGBB. */
    public static int rgbAt(DecodedImage image, int x, int y) {
        int i = (y * image.width() + x) * 3;
        byte[] p = image.rgb();
        return ((p[i] & 0xFF) << 16) | ((p[i + 1] & 0xFF) << 8) | (p[i + 2] & 0xFF);
    }

    /** Largest per-channel difference between two 0xRRGGBB colours. */
    public static int colourDistance(int a, int b) {
        int d = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            d = Math.max(d, Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF)));
        }
        return d;
    }
}
