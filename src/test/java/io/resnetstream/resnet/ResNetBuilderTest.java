package io.resnetstream.resnet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.testing.RandomViews;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The TensorFlow graph computes what a plain-Java reference of the paper's networks computes. */
class ResNetBuilderTest {

    @TempDir
    Path tmp;

    static List<Object[]> networks() {
        ResNetSpec.Stem imagenet = ResNetSpec.Stem.IMAGENET;
        return List.of(
                // option A with odd map sizes: 11 -> 6 -> 3
                new Object[] {ResNetSpec.cifar(8).withClasses(4), 11},
                new Object[] {ResNetSpec.cifar(8).withShortcut(ShortcutOption.C), 12},
                // ImageNet stem (7x7/2, 3x3/2 max pool) and bottlenecks with strided 1x1s: 37 -> 19 -> 10 -> 5 -> 3 ->
                // 2
                new Object[] {
                    new ResNetSpec(
                            "tiny-bottleneck",
                            imagenet,
                            ResNetSpec.BlockType.BOTTLENECK,
                            List.of(1, 2, 1, 1),
                            List.of(4, 8, 8, 16),
                            ShortcutOption.B,
                            6,
                            224),
                    37
                },
                new Object[] {
                    new ResNetSpec(
                            "tiny-plain",
                            imagenet,
                            ResNetSpec.BlockType.BASIC,
                            List.of(1, 1, 1, 1),
                            List.of(8, 8, 16, 16),
                            ShortcutOption.NONE,
                            3,
                            224),
                    32
                });
    }

    @ParameterizedTest(name = "{0} at {1}x{1}")
    @MethodSource("networks")
    void graphMatchesThePlainJavaReference(ResNetSpec spec, int side) throws IOException {
        ResNetWeights weights = ResNetWeights.initialize(spec, 11);
        Path dir = tmp.resolve(spec.name());
        SavedModelExporter.export(spec, weights, ExportSettings.untrained(spec, side), dir);
        ReferenceResNet reference = new ReferenceResNet(spec, weights);
        float[] images = RandomViews.gaussian(2, side, 13);

        try (TensorFlowClassifier classifier = TensorFlowClassifier.load(dir)) {
            float[][] rows = classifier.classify(images, 2);
            for (int v = 0; v < 2; v++) {
                float[] expected = reference.classify(RandomViews.view(images, v, side), side);
                for (int c = 0; c < expected.length; c++) {
                    assertThat(rows[v][c]).isCloseTo(expected[c], within(1e-4f));
                }
            }
        }
    }
}
