package io.resnetstream.imaging;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CropSchemeAndNormalizationTest {

    @Test
    void cropSchemesParseFromTheirIdsOrNames() {
        assertThat(CropScheme.parse("ten-crop")).isEqualTo(CropScheme.TEN_CROP);
        assertThat(CropScheme.parse(" Center-Crop ")).isEqualTo(CropScheme.CENTER_CROP);
        assertThat(CropScheme.parse("TEN_CROP")).isEqualTo(CropScheme.TEN_CROP);
        assertThat(CropScheme.TEN_CROP.id()).isEqualTo("ten-crop");
        assertThat(CropScheme.CENTER_CROP.id()).isEqualTo("center-crop");
        assertThat(CropScheme.TEN_CROP.views()).isEqualTo(10);
        assertThat(CropScheme.CENTER_CROP.views()).isEqualTo(1);
        assertThatThrownBy(() -> CropScheme.parse("five-crop"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ten-crop, center-crop");
    }

    @Test
    void normalizationsParseIgnoringCase() {
        assertThat(Normalization.parse("caffe")).isEqualTo(Normalization.CAFFE);
        assertThat(Normalization.parse("Torch")).isEqualTo(Normalization.TORCH);
        assertThat(Normalization.parse("TF")).isEqualTo(Normalization.TF);
        assertThat(Normalization.parse("none")).isEqualTo(Normalization.NONE);
        assertThat(Normalization.TORCH.id()).isEqualTo("torch");
        assertThatThrownBy(() -> Normalization.parse("imagenet"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caffe, torch, tf, none");
    }

    @Test
    void caffeFeedsBlueFirst() {
        assertThat(Normalization.CAFFE.sourceChannel(0)).isEqualTo(2);
        assertThat(Normalization.CAFFE.sourceChannel(2)).isEqualTo(0);
        assertThat(Normalization.TORCH.sourceChannel(0)).isEqualTo(0);
        assertThat(Normalization.CAFFE.normalize(0, 104))
                .isCloseTo(0.061f, within(1e-6f)); // blue 104 minus the blue mean
    }
}
