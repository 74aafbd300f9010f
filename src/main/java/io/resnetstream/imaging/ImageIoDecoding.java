package io.resnetstream.imaging;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.opencv.core.CvType;
import org.opencv.core.Mat;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;

/**
 * Decoding through ImageIO, for what OpenCV does not do well: CMYK/YCCK JPEG (TwelveMonkeys applies the
 * embedded ICC profile; OpenCV converts naively) and GIF (OpenCV 4.9 has no GIF decoder). Slower than
 * OpenCV, so used only for those.
 */
final class ImageIoDecoding {

    /**
     * The TwelveMonkeys JPEG reader, registered here if the registry's class-path scan missed it
     * (it runs once, with whatever context class loader the first ImageIO caller had).
     */
    private static final ImageReaderSpi JPEG_READER = twelveMonkeysJpegReader();

    private ImageIoDecoding() {}

    /** The first image in {@code data} as an 8-bit BGR matrix; alpha is dropped. */
    static Mat decodeBgr(byte[] data, ImageFormat format) throws IOException {
        ImageReader reader = readerFor(format);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            return toBgr(reader.read(0));
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader readerFor(ImageFormat format) throws IOException {
        if (format == ImageFormat.JPEG) {
            return JPEG_READER.createReaderInstance();
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.id());
        if (!readers.hasNext()) {
            throw new IOException("no ImageIO reader for " + format.id());
        }
        return readers.next();
    }

    /** getRGB converts any colour model to sRGB; its alpha byte is ignored, the colour kept as stored. */
    private static Mat toBgr(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] bgr = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
        int[] row = new int[width];
        int o = 0;
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int argb : row) {
                bgr[o++] = (byte) argb;
                bgr[o++] = (byte) (argb >> 8);
                bgr[o++] = (byte) (argb >> 16);
            }
        }
        Mat mat = new Mat(height, width, CvType.CV_8UC3);
        mat.put(0, 0, bgr);
        return mat;
    }

    private static ImageReaderSpi twelveMonkeysJpegReader() {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        JPEGImageReaderSpi registered = registry.getServiceProviderByClass(JPEGImageReaderSpi.class);
        if (registered != null) {
            return registered;
        }
        JPEGImageReaderSpi spi = new JPEGImageReaderSpi();
        registry.registerServiceProvider(spi, ImageReaderSpi.class); // registration finds the JDK reader it wraps
        return spi;
    }
}
