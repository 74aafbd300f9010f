package io.resnetstream.resnet.training;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

import io.resnetstream.imaging.Normalization;
import io.resnetstream.resnet.ResNetSpec;
import io.resnetstream.resnet.ResNetWeights;

/** Generates the shapes images, trains a ResNet on them and scores it on held-out images. */
public final class ShapesTraining {

    /** How training normalises its views: the preset the exported model's manifest must name. */
    public static final Normalization NORMALIZATION = Normalization.TORCH;

    private final TrainingConfig config;
    private final PrintWriter log;

    public ShapesTraining(TrainingConfig config, PrintWriter log) {
        this.config = config;
        this.log = log;
    }

    /**
     * The outcome of a run.
     *
     * @param spec            the trained architecture
     * @param weights         the final weights
     * @param accuracy        held-out accuracy measured by the trainer's evaluation graph
     * @param testImages      the held-out images, for scoring the exported model the same way
     * @param trainingSeconds wall time of the SGD steps
     * @param dataSeconds     wall time spent generating images
     */
    public record Result(
            ResNetSpec spec,
            ResNetWeights weights,
            HeldOutAccuracy accuracy,
            List<LabeledImage> testImages,
            double trainingSeconds,
            double dataSeconds) {}

    public Result run() {
        ResNetSpec spec = ResNetSpec.named(config.architecture()).withClasses(ShapesDataset.LABELS.size());
        ShapesDataset dataset = new ShapesDataset(config.seed());
        long dataStart = System.nanoTime();
        List<LabeledImage> train = generate(dataset, 0, config.trainImages(), "train images");
        List<LabeledImage> test =
                generate(dataset, TrainingConfig.TEST_INDEX_OFFSET, config.testImages(), "test images");
        double dataSeconds = seconds(dataStart);

        try (ResNetTrainer trainer = new ResNetTrainer(
                spec,
                config.crop(),
                config.momentum(),
                config.weightDecay(),
                ResNetWeights.initialize(spec, config.seed()))) {
            long trainStart = System.nanoTime();
            train(trainer, train);
            double trainingSeconds = seconds(trainStart);
            HeldOutAccuracy accuracy = HeldOutAccuracy.measure(trainer::classify, test, config.crop());
            log.printf(
                    Locale.ROOT,
                    "held-out (%d images): centre-crop %.2f%%, ten-crop %.2f%%%n",
                    accuracy.images(),
                    100 * accuracy.centreCrop(),
                    100 * accuracy.tenCrop());
            log.flush();
            return new Result(spec, trainer.weights(), accuracy, test, trainingSeconds, dataSeconds);
        }
    }

    private List<LabeledImage> generate(ShapesDataset dataset, long firstIndex, int count, String task) {
        try (ProgressBar progress = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(count)
                .setUpdateIntervalMillis(1000)
                .build()) {
            // images depend only on their index, so the parallel stream yields the same list every time
            return IntStream.range(0, count)
                    .parallel()
                    .mapToObj(i -> {
                        LabeledImage image =
                                dataset.renderSupersampled(firstIndex + i, config.resize(), config.supersampling());
                        progress.step();
                        return image;
                    })
                    .toList();
        }
    }

    private void train(ResNetTrainer trainer, List<LabeledImage> images) {
        int batch = config.batch();
        int stepsPerEpoch = images.size() / batch;
        int classes = ShapesDataset.LABELS.size();
        CropWriter crops = new CropWriter(config.crop());
        StepLearningRate schedule = new StepLearningRate(config.learningRate(), config.epochs());
        float[] batchImages = new float[batch * crops.floatsPerView()];
        float[] oneHot = new float[batch * classes];
        SplittableRandom random = new SplittableRandom(config.seed());
        try (ProgressBar progress = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax((long) stepsPerEpoch * config.epochs())
                .setUpdateIntervalMillis(1000)
                .setMaxRenderedLength(160)
                .showSpeed()
                .setUnit(" steps", 1)
                .build()) {
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                int[] order = shuffled(images.size(), random);
                float rate = schedule.rate(epoch);
                double lossSum = 0;
                int correct = 0;
                for (int step = 0; step < stepsPerEpoch; step++) {
                    Arrays.fill(oneHot, 0f);
                    for (int i = 0; i < batch; i++) {
                        LabeledImage image = images.get(order[step * batch + i]);
                        crops.writeRandomCrop(image, random, batchImages, i * crops.floatsPerView());
                        oneHot[i * classes + image.label()] = 1f;
                    }
                    ResNetTrainer.StepResult result = trainer.step(batchImages, oneHot, batch, rate);
                    lossSum += result.loss();
                    correct += result.correct();
                    progress.step();
                    progress.setExtraMessage(String.format(
                            Locale.ROOT,
                            "epoch %d/%d lr %.4f loss %.3f acc %.1f%%",
                            epoch + 1,
                            config.epochs(),
                            rate,
                            lossSum / (step + 1),
                            100.0 * correct / ((step + 1) * batch)));
                }
                log.printf(
                        Locale.ROOT,
                        "epoch %d/%d: lr %.4f, train loss %.4f, train accuracy %.2f%%%n",
                        epoch + 1,
                        config.epochs(),
                        rate,
                        lossSum / stepsPerEpoch,
                        100.0 * correct / ((long) stepsPerEpoch * batch));
                log.flush();
            }
        }
    }

    /** A Fisher–Yates permutation of {@code 0..n-1}. */
    private static int[] shuffled(int n, SplittableRandom random) {
        int[] order = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
