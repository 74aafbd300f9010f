package io.resnetstream.resnet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ResNetSpecTest {

    @ParameterizedTest(name = "{0}: {1} x 10^9 multiply-adds (Table 1)")
    @CsvSource({
        "resnet18, 1.8",
        "resnet34, 3.6",
        "resnet50, 3.8",
        "resnet101, 7.6",
        "resnet152, 11.3",
        "plain18, 1.8",
        "plain34, 3.6"
    })
    void multiplyAddsMatchTable1WithinTwoPercent(String arch, double paperGiga) {
        double giga = ResNetSpec.named(arch).multiplyAdds(224) / 1e9;
        assertThat(giga).isCloseTo(paperGiga, within(paperGiga * 0.02));
    }

    @ParameterizedTest(name = "{0}: {1} weighted layers")
    @CsvSource({
        "resnet18, 18",
        "resnet34, 34",
        "resnet50, 50",
        "resnet101, 101",
        "resnet152, 152",
        "plain34, 34",
        "resnet20, 20",
        "resnet32, 32",
        "resnet44, 44",
        "resnet56, 56",
        "resnet110, 110"
    })
    void layerCountsMatchTheNames(String arch, int layers) {
        assertThat(ResNetSpec.named(arch).layers()).isEqualTo(layers);
    }

    @ParameterizedTest(name = "{0}: {1} parameters")
    @CsvSource({
        "resnet18, 11689512",
        "resnet34, 21797672",
        "resnet50, 25557032",
        "resnet101, 44549160",
        "resnet152, 60192808",
        "resnet20, 269722"
    })
    void parameterCountsMatchTheReferenceImplementations(String arch, long parameters) {
        // ImageNet figures are torchvision's (option B); ResNet-20 is the paper's 0.27M with option A
        assertThat(ResNetSpec.named(arch).parameterCount()).isEqualTo(parameters);
    }

    @ParameterizedTest(name = "{0}: {1}M parameters (§4.2, Table 6)")
    @CsvSource({"resnet20, 0.27", "resnet32, 0.46", "resnet44, 0.66", "resnet56, 0.85", "resnet110, 1.7"})
    void cifarParameterCountsMatchThePaperWithinTwoPercent(String arch, double paperMillions) {
        double millions = ResNetSpec.named(arch).parameterCount() / 1e6;
        assertThat(millions).isCloseTo(paperMillions, within(paperMillions * 0.02));
    }

    @Test
    void resNet20CostsFortyMillionMultiplyAddsAt32Pixels() {
        assertThat(ResNetSpec.named("resnet20").multiplyAdds(32)).isBetween(40_000_000L, 41_500_000L);
    }

    @Test
    void shortcutOptionsOrderTheParameterCounts() {
        ResNetSpec resnet34 = ResNetSpec.named("resnet34");
        long plain = resnet34.withShortcut(ShortcutOption.NONE).parameterCount();
        long a = resnet34.withShortcut(ShortcutOption.A).parameterCount();
        long b = resnet34.withShortcut(ShortcutOption.B).parameterCount();
        long c = resnet34.withShortcut(ShortcutOption.C).parameterCount();

        assertThat(a).isEqualTo(plain);
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
        // B adds three projections: 64->128, 128->256, 256->512, each a 1x1 kernel plus batch norm
        assertThat(b - a).isEqualTo(64 * 128 + 2 * 128 + 128 * 256 + 2 * 256 + 256 * 512 + 2 * 512);
    }

    @Test
    void plainNetworksHaveTheResidualStacksWithoutShortcuts() {
        assertThat(ResNetSpec.named("plain-34").blocks())
                .allSatisfy(block -> assertThat(block.shortcut()).isEqualTo(BlockSpec.Shortcut.NONE));
        assertThat(ResNetSpec.named("plain34").parameterCount())
                .isEqualTo(ResNetSpec.named("resnet34")
                        .withShortcut(ShortcutOption.A)
                        .parameterCount());
    }

    @Test
    void bottleneckBlocksStrideOnTheirFirstConvolution() {
        BlockSpec firstOfStage3 = ResNetSpec.named("resnet50").blocks().get(3);

        assertThat(firstOfStage3.name()).isEqualTo("conv3_block1");
        assertThat(firstOfStage3.branch().get(0).kernel()).isEqualTo(1);
        assertThat(firstOfStage3.branch().get(0).stride()).isEqualTo(2);
        assertThat(firstOfStage3.branch().get(1).stride()).isEqualTo(1);
        assertThat(firstOfStage3.projection())
                .hasValueSatisfying(p -> assertThat(p.stride()).isEqualTo(2));
    }

    @Test
    void imagenetStagesRunAt56To7PixelsFor224Inputs() {
        ResNetSpec resnet18 = ResNetSpec.named("resnet18");
        int size = resnet18.stemFeatureSize(224);
        assertThat(size).isEqualTo(56);
        for (BlockSpec block : resnet18.blocks()) {
            size = block.outputSize(size);
        }
        assertThat(size).isEqualTo(7);
    }

    @Test
    void classCountChangesOnlyTheFullyConnectedLayer() {
        ResNetSpec resnet18 = ResNetSpec.named("resnet18");
        long difference = resnet18.parameterCount() - resnet18.withClasses(10).parameterCount();
        assertThat(difference).isEqualTo(990L * 512 + 990);
    }

    @Test
    void rejectsUnknownNamesAndTooSmallInputs() {
        assertThatThrownBy(() -> ResNetSpec.named("resnet21")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResNetSpec.named("vgg16")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResNetSpec.named("plain50")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResNetSpec.named("resnet50").multiplyAdds(16))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
