package io.resnetstream.resnet.training;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ShapesDatasetTest {

    private final ShapesDataset dataset = new ShapesDataset(5);

    @Test
    void anImageDependsOnlyOnSeedAndIndex() {
        LabeledImage first = dataset.render(12, 64, 48);
        assertThat(new ShapesDataset(5).render(12, 64, 48).rgb()).isEqualTo(first.rgb());
        assertThat(dataset.render(13, 64, 48).rgb()).isNotEqualTo(first.rgb());
        assertThat(new ShapesDataset(6).render(12, 64, 48).rgb()).isNotEqualTo(first.rgb());
    }

    @Test
    void classesCycleThroughTheEightShapes() {
        for (int i = 0; i < 16; i++) {
            LabeledImage image = dataset.render(i, 40, 40);
            assertThat(image.label()).isEqualTo(i % 8);
            assertThat(image.labelName()).isEqualTo(ShapesDataset.LABELS.get(i % 8));
        }
        assertThat(ShapesDataset.LABELS)
                .containsExactly("circle", "ring", "triangle", "square", "pentagon", "hexagon", "star", "cross");
    }

    @Test
    void rendersAtTheRequestedSize() {
        LabeledImage wide = dataset.render(3, 90, 50);
        assertThat(wide.width()).isEqualTo(90);
        assertThat(wide.height()).isEqualTo(50);
        LabeledImage supersampled = dataset.renderSupersampled(3, 36, 3);
        assertThat(supersampled.width()).isEqualTo(36);
        assertThat(supersampled.rgb()).hasSize(36 * 36 * 3);
    }

    @Test
    void shrinkingAveragesBlocks() {
        byte[] rgb = new byte[4 * 2 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i < 12 ? 10 * (i % 3) : 200);
        }
        LabeledImage shrunk = new LabeledImage(0, 4, 2, rgb).shrink(2);
        assertThat(shrunk.width()).isEqualTo(2);
        assertThat(shrunk.height()).isEqualTo(1);
        // left block: rows 0 and 1, columns 0-1: two pixels (0,10,20) and two pixels (200,200,200)
        assertThat(shrunk.rgb()[0] & 0xff).isEqualTo(100);
        assertThat(shrunk.rgb()[1] & 0xff).isEqualTo(105);
        assertThat(shrunk.rgb()[2] & 0xff).isEqualTo(110);
    }
}
