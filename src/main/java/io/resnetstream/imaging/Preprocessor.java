package io.resnetstream.imaging;

import java.util.List;
import java.util.Objects;

import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Turns a decoded image into network input for 10-crop (or centre-crop) testing: shorter side resized
 * to S, C×C views cut and flipped, normalised, written as NHWC floats (view after view, row after row,
 * pixel after pixel, three channels each).
 *
 * <p>Immutable and thread-safe; one instance can serve a pool of threads.
 */
public final class Preprocessor {

    private final int resizeShorter;
    private final int cropSize;
    private final CropScheme scheme;
    private final Normalization normalization;
    private final int floatsPerView;
    /** Per output channel: which RGB byte feeds it and its 256 normalised values, so a pixel costs three lookups. */
    private final int[] sourceChannel = new int[3];

    private final float[][] lookup = new float[3][256];

    public Preprocessor(int resizeShorter, int cropSize, CropScheme scheme, Normalization normalization) {
        if (cropSize <= 0 || resizeShorter < cropSize) {
            throw new IllegalArgumentException(
                    "need 0 < crop <= shorter side, got crop " + cropSize + ", shorter side " + resizeShorter);
        }
        this.resizeShorter = resizeShorter;
        this.cropSize = cropSize;
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.normalization = Objects.requireNonNull(normalization, "normalization");
        this.floatsPerView = Math.multiplyExact(Math.multiplyExact(cropSize, cropSize), 3);
        Math.multiplyExact(floatsPerView, scheme.views()); // floatsPerImage() must fit an int
        for (int c = 0; c < 3; c++) {
            sourceChannel[c] = normalization.sourceChannel(c);
            for (int v = 0; v < 256; v++) {
                lookup[c][v] = normalization.normalize(c, v);
            }
        }
        OpenCv.load();
    }

    public int resizeShorter() {
        return resizeShorter;
    }

    public int cropSize() {
        return cropSize;
    }

    public CropScheme scheme() {
        return scheme;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** 10 for ten-crop, 1 for centre-crop. */
    public int views() {
        return scheme.views();
    }

    /** {@code crop × crop × 3}. */
    public int floatsPerView() {
        return floatsPerView;
    }

    /** {@code views × crop × crop × 3}: what {@link #writeViews} writes per image. */
    public int floatsPerImage() {
        return floatsPerView * scheme.views();
    }

    /**
     * The views of an image of the given (already resized) size, in output order. Ten-crop: top-left,
     * top-right, bottom-left, bottom-right, centre, then the flips of those five in the same order.
     * The centre crop starts at floor((W − C) / 2), floor((H − C) / 2).
     */
    public List<CropBox> cropBoxes(int resizedWidth, int resizedHeight) {
        if (resizedWidth < cropSize || resizedHeight < cropSize) {
            throw new IllegalArgumentException(
                    "image " + resizedWidth + "x" + resizedHeight + " is smaller than the crop " + cropSize);
        }
        int right = resizedWidth - cropSize;
        int bottom = resizedHeight - cropSize;
        CropBox centre = new CropBox(right / 2, bottom / 2, cropSize, false);
        if (scheme == CropScheme.CENTER_CROP) {
            return List.of(centre);
        }
        return List.of(
                new CropBox(0, 0, cropSize, false),
                new CropBox(right, 0, cropSize, false),
                new CropBox(0, bottom, cropSize, false),
                new CropBox(right, bottom, cropSize, false),
                centre,
                new CropBox(0, 0, cropSize, true),
                new CropBox(right, 0, cropSize, true),
                new CropBox(0, bottom, cropSize, true),
                new CropBox(right, bottom, cropSize, true),
                new CropBox(centre.x(), centre.y(), cropSize, true));
    }

    /**
     * The image with its shorter side at S and the longer side scaled by the same factor, rounded to the
     * nearest pixel (halves up). Area interpolation when shrinking (no aliasing), bilinear when enlarging.
     * An image whose shorter side is already S is returned as it is.
     */
    public DecodedImage resizeShorterSide(DecodedImage image) {
        int width = image.width();
        int height = image.height();
        int shorter = Math.min(width, height);
        if (shorter == resizeShorter) {
            return image;
        }
        Mat source = OpenCv.toMat(image);
        Mat resized = resizeShorterSide(source, resizeShorter);
        try {
            return OpenCv.toImage(resized);
        } finally {
            source.release();
            resized.release();
        }
    }

    /**
     * {@link #resizeShorterSide(DecodedImage)} on an 8-bit matrix of any channel order whose shorter side is not
     * {@code shorterSide} yet: a new matrix, which the caller releases.
     */
    static Mat resizeShorterSide(Mat source, int shorterSide) {
        return resizeShorterSide(source, source.cols(), source.rows(), shorterSide);
    }

    /**
     * {@code source} resized to the size an image of {@code width × height} gets once its shorter side is
     * {@code shorterSide}: {@code source} may be that image decoded at a reduced scale.
     */
    static Mat resizeShorterSide(Mat source, long width, long height, int shorterSide) {
        int shorter = Math.min(source.cols(), source.rows());
        int longer = Math.toIntExact(resizedLonger(width, height, shorterSide));
        int newWidth = width <= height ? shorterSide : longer;
        int newHeight = width <= height ? longer : shorterSide;
        int interpolation = shorter > shorterSide ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR;
        Mat resized = new Mat();
        Imgproc.resize(source, resized, new Size(newWidth, newHeight), 0, 0, interpolation);
        return resized;
    }

    /** The longer side once the shorter one is {@code shorterSide}: scaled alike, rounded to the nearest pixel. */
    static long resizedLonger(long width, long height, int shorterSide) {
        long shorter = Math.min(width, height);
        return (2L * Math.max(width, height) * shorterSide + shorter) / (2L * shorter);
    }

    /**
     * Resizes, crops, flips and normalises {@code image}, writing {@link #floatsPerImage()} floats into
     * {@code out} from {@code offset}, views in {@link #cropBoxes} order.
     */
    public void writeViews(DecodedImage image, float[] out, int offset) {
        writeViewsOfResized(resizeShorterSide(image), out, offset);
    }

    /** {@link #writeViews} of an image whose shorter side is already S. */
    public void writeViewsOfResized(DecodedImage resized, float[] out, int offset) {
        Objects.checkFromIndexSize(offset, floatsPerImage(), out.length);
        int at = offset;
        for (CropBox box : cropBoxes(resized.width(), resized.height())) {
            writeView(resized, box, out, at);
            at += floatsPerView;
        }
    }

    /**
     * Writes one view of an image already at its final size: {@link #floatsPerView()} floats from {@code offset}.
     * Training cuts its random crops with this, so training and serving share one definition of a view.
     */
    public void writeView(DecodedImage image, CropBox box, float[] out, int offset) {
        if (box.size() != cropSize || box.x() + cropSize > image.width() || box.y() + cropSize > image.height()) {
            throw new IllegalArgumentException(box + " does not fit a " + cropSize + " crop of a " + image.width() + "x"
                    + image.height() + " image");
        }
        byte[] rgb = image.rgb();
        int stride = image.width() * 3;
        float[] lookup0 = lookup[0];
        float[] lookup1 = lookup[1];
        float[] lookup2 = lookup[2];
        int source0 = sourceChannel[0];
        int source1 = sourceChannel[1];
        int source2 = sourceChannel[2];
        // a flipped view reads each row right to left
        int step = box.flipped() ? -3 : 3;
        int o = offset;
        for (int y = 0; y < cropSize; y++) {
            int rowStart = (box.y() + y) * stride + box.x() * 3;
            int s = box.flipped() ? rowStart + (cropSize - 1) * 3 : rowStart;
            for (int x = 0; x < cropSize; x++, s += step) {
                out[o++] = lookup0[rgb[s + source0] & 0xFF];
                out[o++] = lookup1[rgb[s + source1] & 0xFF];
                out[o++] = lookup2[rgb[s + source2] & 0xFF];
            }
        }
    }
}
