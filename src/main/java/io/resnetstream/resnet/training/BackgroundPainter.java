package io.resnetstream.resnet.training;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Paints a random background: a gradient, stripes, a checkerboard or smooth colour blobs, then clutter (thin lines,
 * curves and small dots). Textures keep to moderate contrast and clutter to thin or small marks, so that the shape
 * drawn on top stays the most salient object: no piece of clutter may pass for one of the eight classes.
 */
final class BackgroundPainter {

    private BackgroundPainter() {}

    static void paint(Graphics2D g, int width, int height, SplittableRandom random) {
        Color base = randomColor(random);
        switch (random.nextInt(4)) {
            case 0 -> gradient(g, width, height, base, random);
            case 1 -> stripes(g, width, height, base, random, false);
            case 2 -> stripes(g, width, height, base, random, true);
            default -> blobs(g, width, height, base, random);
        }
        clutter(g, width, height, random, random.nextInt(0, 25));
    }

    /** A few thin marks drawn over the shape, partly occluding it. */
    static void occlude(Graphics2D g, int width, int height, SplittableRandom random) {
        clutter(g, width, height, random, random.nextInt(0, 3));
    }

    private static void gradient(Graphics2D g, int width, int height, Color base, SplittableRandom random) {
        g.setPaint(new GradientPaint(
                (float) random.nextDouble(width),
                (float) random.nextDouble(height),
                base,
                (float) random.nextDouble(width),
                (float) random.nextDouble(height),
                randomColor(random)));
        g.fillRect(0, 0, width, height);
    }

    /** Stripes or, with {@code checker}, a checkerboard, rotated, in two nearby colours. */
    private static void stripes(
            Graphics2D g, int width, int height, Color base, SplittableRandom random, boolean checker) {
        g.setColor(base);
        g.fillRect(0, 0, width, height);
        Color second = nearby(base, random, 70);
        double period = random.nextDouble(0.03, 0.2) * Math.min(width, height);
        AffineTransform saved = g.getTransform();
        g.rotate(random.nextDouble(Math.PI), width / 2.0, height / 2.0);
        g.setColor(second);
        double extent = Math.hypot(width, height);
        for (double x = -extent; x < extent; x += 2 * period) {
            if (checker) {
                for (double y = -extent; y < extent; y += 2 * period) {
                    g.fill(new Rectangle2D.Double(x, y, period, period));
                    g.fill(new Rectangle2D.Double(x + period, y + period, period, period));
                }
            } else {
                g.fill(new Rectangle2D.Double(x, -extent, period, 2 * extent));
            }
        }
        g.setTransform(saved);
    }

    /** A coarse grid of nearby colours scaled up smoothly. */
    private static void blobs(Graphics2D g, int width, int height, Color base, SplittableRandom random) {
        int cells = random.nextInt(3, 8);
        BufferedImage grid = new BufferedImage(cells, cells, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < cells; y++) {
            for (int x = 0; x < cells; x++) {
                grid.setRGB(x, y, nearby(base, random, 90).getRGB());
            }
        }
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(grid, 0, 0, width, height, null);
    }

    private static void clutter(Graphics2D g, int width, int height, SplittableRandom random, int marks) {
        double side = Math.min(width, height);
        for (int i = 0; i < marks; i++) {
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) random.nextDouble(0.3, 0.9)));
            g.setColor(randomColor(random));
            g.setStroke(new BasicStroke((float) (side * random.nextDouble(0.005, 0.02))));
            double x1 = random.nextDouble(width);
            double y1 = random.nextDouble(height);
            double x2 = random.nextDouble(width);
            double y2 = random.nextDouble(height);
            switch (random.nextInt(3)) {
                case 0 -> g.draw(new Line2D.Double(x1, y1, x2, y2));
                case 1 -> g.draw(
                        new QuadCurve2D.Double(x1, y1, random.nextDouble(width), random.nextDouble(height), x2, y2));
                default -> {
                    double r = side * random.nextDouble(0.01, 0.04);
                    g.fill(new Ellipse2D.Double(x1 - r, y1 - r, 2 * r, 2 * r));
                }
            }
        }
        g.setComposite(AlphaComposite.SrcOver);
    }

    static Color randomColor(SplittableRandom random) {
        return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256));
    }

    private static Color nearby(Color color, SplittableRandom random, int spread) {
        return new Color(
                clamp(color.getRed() + random.nextInt(-spread, spread + 1)),
                clamp(color.getGreen() + random.nextInt(-spread, spread + 1)),
                clamp(color.getBlue() + random.nextInt(-spread, spread + 1)));
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }
}
