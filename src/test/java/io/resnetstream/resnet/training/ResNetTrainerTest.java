package io.resnetstream.resnet.training;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.resnetstream.resnet.ResNetSpec;
import io.resnetstream.resnet.ResNetWeights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ResNetTrainerTest {

    private static final int SIDE = 16;
    private static final int IMAGES = 16;

    @Test
    void learnsToFitASmallBatchAndTracksBatchNormStatistics() {
        ResNetSpec spec = ResNetSpec.cifar(8).withClasses(4);
        Random random = new Random(3);
        float[] images = new float[IMAGES * SIDE * SIDE * 3];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextGaussian();
        }
        float[] labels = new float[IMAGES * 4];
        for (int i = 0; i < IMAGES; i++) {
            labels[i * 4 + i % 4] = 1f;
        }
        ResNetWeights initial = ResNetWeights.initialize(spec, 1);
        try (ResNetTrainer trainer = new ResNetTrainer(spec, SIDE, 0.9f, 1e-4f, initial)) {
            ResNetTrainer.StepResult first = trainer.step(images, labels, IMAGES, 0.05f);
            ResNetTrainer.StepResult last = first;
            for (int i = 0; i < 40; i++) {
                last = trainer.step(images, labels, IMAGES, 0.05f);
            }
            assertThat(last.loss()).isLessThan(first.loss() / 4);
            assertThat(last.correct()).isEqualTo(IMAGES);

            ResNetWeights trained = trainer.weights();
            assertThat(trained.get("conv1/bn/moving_mean").values())
                    .isNotEqualTo(initial.get("conv1/bn/moving_mean").values());
            assertThat(trained.get("conv1/kernel").values())
                    .isNotEqualTo(initial.get("conv1/kernel").values());

            // the evaluation network (batch norm on moving statistics) agrees on what it learned
            float[][] rows = trainer.classify(images, IMAGES);
            assertThat(rows[0][0] + rows[0][1] + rows[0][2] + rows[0][3]).isCloseTo(1f, within(1e-5f));
        }
    }
}
