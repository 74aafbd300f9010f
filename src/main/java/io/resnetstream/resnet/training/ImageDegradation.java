package io.resnetstream.resnet.training;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Camera-like damage: Gaussian blur, Gaussian pixel noise, JPEG compression. */
final class ImageDegradation {

    private ImageDegradation() {}

    /** Blurs with standard deviation {@code sigma} pixels (separable, edges clamped); no-op below 0.3. */
    static byte[] blur(byte[] rgb, int width, int height, double sigma) {
        if (sigma < 0.3) {
            return rgb;
        }
        int radius = (int) Math.ceil(3 * sigma);
        float[] kernel = new float[2 * radius + 1];
        float total = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
            total += kernel[i + radius];
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= total;
        }
        float[] horizontal = new float[rgb.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    float sum = 0;
                    for (int k = -radius; k <= radius; k++) {
                        int xx = Math.max(0, Math.min(width - 1, x + k));
                        sum += kernel[k + radius] * (rgb[(y * width + xx) * 3 + c] & 0xff);
                    }
                    horizontal[(y * width + x) * 3 + c] = sum;
                }
            }
        }
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    float sum = 0;
                    for (int k = -radius; k <= radius; k++) {
                        int yy = Math.max(0, Math.min(height - 1, y + k));
                        sum += kernel[k + radius] * horizontal[(yy * width + x) * 3 + c];
                    }
                    out[(y * width + x) * 3 + c] = (byte) Math.round(Math.max(0, Math.min(255, sum)));
                }
            }
        }
        return out;
    }

    /** Adds independent Gaussian noise of standard deviation {@code std} levels to every byte. */
    static void addNoise(byte[] rgb, double std, SplittableRandom random) {
        if (std <= 0) {
            return;
        }
        for (int i = 0; i < rgb.length; i++) {
            long value = Math.round((rgb[i] & 0xff) + random.nextGaussian() * std);
            rgb[i] = (byte) Math.max(0, Math.min(255, value));
        }
    }

    /** Encodes at {@code quality} (0..1) with the JDK's JPEG writer and decodes again. */
    static LabeledImage jpeg(LabeledImage image, float quality) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
                writer.write(null, new IIOImage(image.toBufferedImage(), null, null), param);
            } finally {
                writer.dispose();
            }
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
            return LabeledImage.of(image.label(), decoded);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory JPEG round trip failed", e);
        }
    }
}
