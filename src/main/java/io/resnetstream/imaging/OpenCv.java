package io.resnetstream.imaging;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

/** OpenCV natives and the copies between Java arrays and OpenCV matrices. */
final class OpenCv {

    static {
        // the openpnp jar carries the natives; they are extracted and loaded once per class loader
        nu.pattern.OpenCV.loadLocally();
    }

    private OpenCv() {}

    /** Makes sure the natives are loaded; the JVM runs the static initialiser above once, thread-safely. */
    static void load() {
        // the work happens in the static initialiser
    }

    /** Copies 8-bit BGR pixels out as an RGB {@link DecodedImage}. */
    static DecodedImage toRgbImage(Mat bgr) {
        Mat rgb = new Mat();
        try {
            Imgproc.cvtColor(bgr, rgb, Imgproc.COLOR_BGR2RGB);
            return toImage(rgb);
        } finally {
            rgb.release();
        }
    }

    /** Copies a continuous 8-bit three-channel matrix into a {@link DecodedImage}, channel order unchanged. */
    static DecodedImage toImage(Mat threeChannels) {
        byte[] pixels = new byte[Math.multiplyExact(Math.multiplyExact(threeChannels.rows(), threeChannels.cols()), 3)];
        threeChannels.get(0, 0, pixels);
        return new DecodedImage(threeChannels.cols(), threeChannels.rows(), pixels);
    }

    /** A new 8-bit three-channel matrix holding a copy of the image's bytes, channel order unchanged. */
    static Mat toMat(DecodedImage image) {
        Mat mat = new Mat(image.height(), image.width(), CvType.CV_8UC3);
        mat.put(0, 0, image.rgb());
        return mat;
    }
}
