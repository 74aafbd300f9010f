package io.resnetstream.resnet.training;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated images of eight shapes ({@link ShapeKind}): one shape per image, anywhere in the frame and wholly inside
 * it, its rotated bounding box 25–90% of the shorter side, any rotation, any colour that stands out from the
 * background beneath it, on a gradient, striped, checkered or blotchy background with clutter, then blurred (up to
 * 3% of the shape's size), noisy (up to 12 levels) and JPEG-compressed (quality 0.5–0.95). Image {@code i} depends
 * only on the seed and {@code i}, so any subset is reproducible and images can be made in parallel; the class of
 * image {@code i} is {@code i mod 8}.
 */
public final class ShapesDataset {

    /** Class names in label order. */
    public static final List<String> LABELS =
            Arrays.stream(ShapeKind.values()).map(ShapeKind::label).toList();

    private static final double MIN_SIZE = 0.25;
    private static final double MAX_SIZE = 0.9;
    /** Smallest RGB distance between the shape and the mean colour of the background beneath it. */
    private static final double MIN_CONTRAST = 120;
    /**
     * Largest blur (standard deviation), as a fraction of the shape's size. A hexagon's edges lie only 7% of its size
     * inside its circle: more blur, or blur scaled to the image rather than the shape, makes labels no one could
     * check.
     */
    private static final double MAX_BLUR = 0.03;

    private final long seed;

    public ShapesDataset(long seed) {
        this.seed = seed;
    }

    /** Image {@code index} drawn at {@code width × height}, degradations included. */
    public LabeledImage render(long index, int width, int height) {
        SplittableRandom random = new SplittableRandom(mix(seed, index));
        ShapeKind kind = ShapeKind.values()[(int) Math.floorMod(index, (long) ShapeKind.values().length)];
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        Rectangle2D shapeBounds;
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            BackgroundPainter.paint(g, width, height, random);
            Shape shape = placedShape(kind, width, height, random);
            shapeBounds = shape.getBounds2D();
            Color color = contrastingColor(image, shape.getBounds2D(), random);
            if (random.nextBoolean()) {
                Rectangle2D bounds = shape.getBounds2D();
                g.setPaint(new GradientPaint(
                        (float) bounds.getMinX(),
                        (float) bounds.getMinY(),
                        color,
                        (float) bounds.getMaxX(),
                        (float) bounds.getMaxY(),
                        shade(color, random)));
            } else {
                g.setColor(color);
            }
            g.fill(shape);
            BackgroundPainter.occlude(g, width, height, random);
        } finally {
            g.dispose();
        }
        LabeledImage drawn = LabeledImage.of(kind.ordinal(), image);
        double shapeSize = Math.max(shapeBounds.getWidth(), shapeBounds.getHeight());
        byte[] blurred = ImageDegradation.blur(drawn.rgb(), width, height, random.nextDouble(0, MAX_BLUR) * shapeSize);
        ImageDegradation.addNoise(blurred, random.nextDouble(0, 12), random);
        return ImageDegradation.jpeg(
                new LabeledImage(kind.ordinal(), width, height, blurred), (float) random.nextDouble(0.5, 0.95));
    }

    /**
     * Image {@code index} at {@code side × side}, drawn {@code k} times larger and shrunk by area averaging, as the
     * pipeline shrinks larger photos; {@code k} in {@code 1..maxSupersampling} is chosen per image.
     */
    public LabeledImage renderSupersampled(long index, int side, int maxSupersampling) {
        int factor = 1 + new SplittableRandom(~mix(seed, index)).nextInt(maxSupersampling);
        return render(index, side * factor, side * factor).shrink(factor);
    }

    /** The outline rotated, scaled so its bounding box spans 25–90% of the shorter side, and placed inside. */
    private static Shape placedShape(ShapeKind kind, int width, int height, SplittableRandom random) {
        Shape rotated = AffineTransform.getRotateInstance(random.nextDouble(2 * Math.PI))
                .createTransformedShape(kind.outline(random));
        Rectangle2D bounds = rotated.getBounds2D();
        double size = random.nextDouble(MIN_SIZE, MAX_SIZE) * Math.min(width, height);
        double scale = size / Math.max(bounds.getWidth(), bounds.getHeight());
        double left = random.nextDouble(0, width - bounds.getWidth() * scale + 1e-9);
        double top = random.nextDouble(0, height - bounds.getHeight() * scale + 1e-9);
        AffineTransform place = new AffineTransform();
        place.translate(left - bounds.getMinX() * scale, top - bounds.getMinY() * scale);
        place.scale(scale, scale);
        return place.createTransformedShape(rotated);
    }

    /** A random colour at least {@link #MIN_CONTRAST} from the mean of the background under {@code region}. */
    private static Color contrastingColor(BufferedImage image, Rectangle2D region, SplittableRandom random) {
        int x0 = Math.max(0, (int) region.getMinX());
        int y0 = Math.max(0, (int) region.getMinY());
        int x1 = Math.min(image.getWidth(), (int) Math.ceil(region.getMaxX()));
        int y1 = Math.min(image.getHeight(), (int) Math.ceil(region.getMaxY()));
        double[] mean = new double[3];
        int[] pixels = image.getRGB(x0, y0, x1 - x0, y1 - y0, null, 0, x1 - x0);
        for (int p : pixels) {
            mean[0] += (p >> 16 & 0xff) / (double) pixels.length;
            mean[1] += (p >> 8 & 0xff) / (double) pixels.length;
            mean[2] += (p & 0xff) / (double) pixels.length;
        }
        while (true) {
            Color candidate = BackgroundPainter.randomColor(random);
            double distance = Math.sqrt(square(candidate.getRed() - mean[0])
                    + square(candidate.getGreen() - mean[1])
                    + square(candidate.getBlue() - mean[2]));
            if (distance >= MIN_CONTRAST) {
                return candidate;
            }
        }
    }

    private static Color shade(Color color, SplittableRandom random) {
        float factor = (float) random.nextDouble(0.7, 1.3);
        return new Color(
                Math.min(255, Math.round(color.getRed() * factor)),
                Math.min(255, Math.round(color.getGreen() * factor)),
                Math.min(255, Math.round(color.getBlue() * factor)));
    }

    private static double square(double value) {
        return value * value;
    }

    /** SplitMix64 finaliser over seed and index, so neighbouring indices get unrelated generators. */
    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
