package io.resnetstream.resnet.training;

import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The eight classes of the generated shapes dataset, each an outline centred on the origin with circumradius 1,
 * its proportions varied a little by a random generator.
 */
public enum ShapeKind {
    CIRCLE,
    RING,
    TRIANGLE,
    SQUARE,
    PENTAGON,
    HEXAGON,
    STAR,
    CROSS;

    /** The label: the lower-case name. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The unrotated outline; the caller rotates, scales and places it. */
    Shape outline(SplittableRandom random) {
        return switch (this) {
            case CIRCLE -> new Ellipse2D.Double(-1, -1, 2, 2);
            case RING -> ring(random.nextDouble(0.45, 0.7));
            case TRIANGLE -> regularPolygon(3);
            case SQUARE -> regularPolygon(4);
            case PENTAGON -> regularPolygon(5);
            case HEXAGON -> regularPolygon(6);
            case STAR -> star(random.nextDouble(0.38, 0.5));
            case CROSS -> cross(random.nextDouble(0.28, 0.4));
        };
    }

    private static Shape ring(double innerRadius) {
        Area ring = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
        ring.subtract(new Area(new Ellipse2D.Double(-innerRadius, -innerRadius, 2 * innerRadius, 2 * innerRadius)));
        return ring;
    }

    private static Shape regularPolygon(int corners) {
        Path2D.Double path = new Path2D.Double();
        for (int i = 0; i < corners; i++) {
            double angle = -Math.PI / 2 + 2 * Math.PI * i / corners;
            if (i == 0) {
                path.moveTo(Math.cos(angle), Math.sin(angle));
            } else {
                path.lineTo(Math.cos(angle), Math.sin(angle));
            }
        }
        path.closePath();
        return path;
    }

    /** Five points; {@code innerRadius} is where the edges between points meet. */
    private static Shape star(double innerRadius) {
        Path2D.Double path = new Path2D.Double();
        for (int i = 0; i < 10; i++) {
            double radius = i % 2 == 0 ? 1 : innerRadius;
            double angle = -Math.PI / 2 + Math.PI * i / 5;
            if (i == 0) {
                path.moveTo(radius * Math.cos(angle), radius * Math.sin(angle));
            } else {
                path.lineTo(radius * Math.cos(angle), radius * Math.sin(angle));
            }
        }
        path.closePath();
        return path;
    }

    /** A plus sign whose arms are {@code armWidth} of its span wide. */
    private static Shape cross(double armWidth) {
        double half = Math.sqrt(0.5);
        double arm = armWidth * half;
        Area cross = new Area(new Rectangle2D.Double(-half, -arm, 2 * half, 2 * arm));
        cross.add(new Area(new Rectangle2D.Double(-arm, -half, 2 * arm, 2 * half)));
        return cross;
    }
}
