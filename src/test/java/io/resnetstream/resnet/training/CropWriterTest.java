package io.resnetstream.resnet.training;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.resnetstream.imaging.Normalization;

import static org.assertj.core.api.Assertions.assertThat;

class CropWriterTest {

    /** A 5×4 image whose red channel is 10·x + y and whose green and blue are 0. */
    private static LabeledImage coordinates() {
        byte[] rgb = new byte[5 * 4 * 3];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                rgb[(y * 5 + x) * 3] = (byte) (10 * x + y);
            }
        }
        return new LabeledImage(0, 5, 4, rgb);
    }

    private static float red(int value) {
        return Normalization.TORCH.normalize(0, value);
    }

    @Test
    void tenCropIsCornersCentreThenTheirFlipsInThePipelinesOrder() {
        CropWriter crops = new CropWriter(2);
        float[] out = new float[10 * crops.floatsPerView()];
        crops.writeTenCrop(coordinates(), out, 0);
        // first pixel (red) of each view: top-left corner of the crop, or its top-right one when flipped
        int[] expected = {0, 30, 2, 32, 11, 10, 40, 12, 42, 21};
        for (int view = 0; view < 10; view++) {
            assertThat(out[view * crops.floatsPerView()]).isEqualTo(red(expected[view]));
        }
    }

    @Test
    void normalisesAsTheTorchPresetTheManifestNames() {
        assertThat(ShapesTraining.NORMALIZATION.id()).isEqualTo("torch");
        assertThat(Normalization.TORCH.normalize(0, 255)).isEqualTo((float) ((1 - 0.485) / 0.229));
        assertThat(Normalization.TORCH.normalize(2, 0)).isEqualTo((float) (-0.406 / 0.225));
    }

    @Test
    void randomCropsStayInsideTheImage() {
        CropWriter crops = new CropWriter(3);
        float[] out = new float[crops.floatsPerView()];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            crops.writeRandomCrop(coordinates(), random, out, 0);
            for (int p = 0; p < out.length; p += 3) {
                assertThat(out[p]).isGreaterThanOrEqualTo(red(0)).isLessThanOrEqualTo(red(43));
            }
        }
    }
}
