package io.resnetstream.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

import io.resnetstream.resnet.training.LabeledImage;
import io.resnetstream.resnet.training.ShapesDataset;

/** Sample input for the demo and the benchmark: generated shape images whose id names the true shape. */
public final class SampleImages {
    record Sample(String id, String truth, byte[] bytes) {}

    private SampleImages() {}

    /** {@code count} JPEGs of {@code size}² pixels, ids {@code <prefix>-<n>-<shape>}. */
    static List<Sample> shapes(String prefix, int count, int size, long seed) {
        ShapesDataset shapes = new ShapesDataset(seed);
        List<Sample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(shape(shapes, prefix, i, size));
        }
        return out;
    }

    /** The {@code index}th sample of {@code shapes}, one at a time (a long run need not hold them all). */
    static Sample shape(ShapesDataset shapes, String prefix, int index, int size) {
        LabeledImage image = shapes.render(index, size, size);
        String truth = image.labelName();
        return new Sample(String.format("%s-%04d-%s", prefix, index, truth), truth, jpeg(image.toBufferedImage()));
    }

    /** The true shape named at the end of a sample id, or "" for other ids. */
    static String truthOf(String id) {
        int dash = id.lastIndexOf('-');
        String last = dash < 0 ? "" : id.substring(dash + 1);
        return ShapesDataset.LABELS.contains(last) ? last : "";
    }

    /** A JPEG start-of-image marker followed by junk: passes no decoder. */
    public static byte[] corruptJpeg(int seed) {
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) (seed + 0x55));
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        b[2] = (byte) 0xFF;
        return b;
    }

    private static byte[] jpeg(java.awt.image.BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
