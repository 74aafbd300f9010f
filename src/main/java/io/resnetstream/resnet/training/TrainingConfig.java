package io.resnetstream.resnet.training;

/**
 * A shapes training run; with the same values and the same machine it draws the same images and batches.
 *
 * @param architecture     network name for {@code ResNetSpec.named}, its fc resized to the eight classes
 * @param resize           side of the generated images (the pipeline's shorter side)
 * @param crop             side of the crops the network sees
 * @param trainImages      generated training images
 * @param testImages       generated held-out images, drawn from indices the training set never uses
 * @param epochs           passes over the training images
 * @param batch            images per SGD step
 * @param learningRate     base rate of the step schedule
 * @param momentum         SGD momentum
 * @param weightDecay      L2 factor on kernels and fc weights
 * @param supersampling    images are drawn up to this many times larger, then shrunk
 * @param seed             seeds the images, the initial weights and the batch order
 */
public record TrainingConfig(
        String architecture,
        int resize,
        int crop,
        int trainImages,
        int testImages,
        int epochs,
        int batch,
        float learningRate,
        float momentum,
        float weightDecay,
        int supersampling,
        long seed) {

    /** First index of the held-out images: far from every training index. */
    public static final long TEST_INDEX_OFFSET = 1L << 40;

    public TrainingConfig {
        if (crop > resize) {
            throw new IllegalArgumentException("crop " + crop + " exceeds resize " + resize);
        }
        if (trainImages < batch || testImages < 1 || epochs < 1 || supersampling < 1) {
            throw new IllegalArgumentException(
                    "need train images >= batch, and positive test images, epochs and " + "supersampling");
        }
    }
}
