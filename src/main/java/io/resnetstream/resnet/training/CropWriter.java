package io.resnetstream.resnet.training;

import java.util.SplittableRandom;

import io.resnetstream.imaging.CropBox;
import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.Preprocessor;

/**
 * Cuts {@code crop × crop} views out of training images through the serving {@link Preprocessor}, so that
 * training and the pipeline share one definition of a view and of the {@code torch} normalisation: random
 * crops with random flips for training, and the pipeline's ten test views in its order.
 */
final class CropWriter {

    static final int TEN_CROP_VIEWS = CropScheme.TEN_CROP.views();

    private final int crop;
    private final Preprocessor views;

    CropWriter(int crop) {
        this.crop = crop;
        // Training images are already at their final size; the resize setting only guards crop <= side.
        this.views = new Preprocessor(crop, crop, CropScheme.TEN_CROP, ShapesTraining.NORMALIZATION);
    }

    int floatsPerView() {
        return views.floatsPerView();
    }

    /** A random crop, flipped with probability 1/2. */
    void writeRandomCrop(LabeledImage image, SplittableRandom random, float[] out, int offset) {
        int x = random.nextInt(image.width() - crop + 1);
        int y = random.nextInt(image.height() - crop + 1);
        views.writeView(image.pixels(), new CropBox(x, y, crop, random.nextBoolean()), out, offset);
    }

    /** The ten views, {@link #floatsPerView()} floats each, in the pipeline's order. */
    void writeTenCrop(LabeledImage image, float[] out, int offset) {
        int at = offset;
        for (CropBox box : views.cropBoxes(image.width(), image.height())) {
            views.writeView(image.pixels(), box, out, at);
            at += floatsPerView();
        }
    }
}
