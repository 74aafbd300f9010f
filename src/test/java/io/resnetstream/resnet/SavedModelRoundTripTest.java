package io.resnetstream.resnet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelDigest;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.testing.RandomViews;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Exports seeded ResNets as SavedModels and runs them through {@link TensorFlowClassifier}. */
class SavedModelRoundTripTest {

    private static final long SEED = 42;

    @TempDir
    static Path tmp;

    private static ResNetSpec resnet20;
    private static ResNetSpec resnet18;
    private static ModelManifest resnet20Manifest;
    private static TensorFlowClassifier resnet20Classifier;
    private static TensorFlowClassifier resnet18Classifier;

    @BeforeAll
    static void exportAndLoad() throws IOException {
        resnet20 = ResNetSpec.named("resnet20");
        resnet20Manifest = SavedModelExporter.export(
                resnet20,
                ResNetWeights.initialize(resnet20, SEED),
                ExportSettings.untrained(resnet20, 32),
                tmp.resolve("resnet20"));
        resnet20Classifier = TensorFlowClassifier.load(tmp.resolve("resnet20"));

        resnet18 = ResNetSpec.named("resnet18").withClasses(10);
        SavedModelExporter.export(
                resnet18,
                ResNetWeights.initialize(resnet18, SEED),
                ExportSettings.untrained(resnet18, 64),
                tmp.resolve("resnet18"));
        resnet18Classifier = TensorFlowClassifier.load(tmp.resolve("resnet18"));
    }

    @AfterAll
    static void close() {
        resnet20Classifier.close();
        resnet18Classifier.close();
    }

    @Test
    void exportWritesAKerasLikeSavedModelWithLabelsAndManifest() throws IOException {
        Path dir = tmp.resolve("resnet20");
        assertThat(dir.resolve("saved_model.pb")).isRegularFile();
        assertThat(Files.readAllLines(dir.resolve("labels.txt"))).hasSize(10).startsWith("class_0");
        assertThat(ModelManifest.read(dir.resolve("manifest.json"))).isEqualTo(resnet20Manifest);
        assertThat(resnet20Manifest.inputName()).isEqualTo("input_1");
        assertThat(resnet20Manifest.outputName()).isEqualTo("predictions");
        assertThat(resnet20Manifest.outputIsLogits()).isFalse();
        assertThat(resnet20Manifest.crop()).isEqualTo(32);
        assertThat(resnet20Manifest.resize()).isEqualTo(37);
        assertThat(resnet20Manifest.digest()).isEqualTo(ModelDigest.of(dir)).hasSize(64);
        assertThat(resnet20Classifier.manifest()).isEqualTo(resnet20Manifest);
    }

    @Test
    void outputsAreProbabilityRowsPerView() {
        RandomViews.assertProbabilities(resnet20Classifier.classify(RandomViews.gaussian(3, 32, 1), 3), 3, 10);
        RandomViews.assertProbabilities(resnet18Classifier.classify(RandomViews.gaussian(2, 64, 1), 2), 2, 10);
    }

    @Test
    void seededWeightsGiveInformativeNotOneHotOutputs() {
        float[][] rows = resnet18Classifier.classify(RandomViews.gaussian(4, 64, 2), 4);
        for (float[] row : rows) {
            float max = 0;
            for (float p : row) {
                max = Math.max(max, p);
            }
            assertThat(max).isLessThan(0.99f);
        }
        assertThat(rows[0]).isNotEqualTo(rows[1]);
    }

    @Test
    void aBatchEqualsItsViewsRunOneByOne() {
        assertBatchMatchesSingles(resnet20Classifier, 8, 32);
        assertBatchMatchesSingles(resnet18Classifier, 4, 64);
    }

    @Test
    void theSameSeedExportsTheSameModel() throws IOException {
        Path again = tmp.resolve("resnet20-again");
        ModelManifest manifest = SavedModelExporter.export(
                resnet20, ResNetWeights.initialize(resnet20, SEED), ExportSettings.untrained(resnet20, 32), again);
        assertThat(manifest.digest()).isEqualTo(resnet20Manifest.digest());

        float[] images = RandomViews.gaussian(2, 32, 3);
        try (TensorFlowClassifier reloaded = TensorFlowClassifier.load(again)) {
            assertThat(reloaded.classify(images, 2)).isEqualTo(resnet20Classifier.classify(images, 2));
        }
    }

    @Test
    void anotherSeedExportsAnotherModel() throws IOException {
        ModelManifest other = SavedModelExporter.export(
                resnet20,
                ResNetWeights.initialize(resnet20, SEED + 1),
                ExportSettings.untrained(resnet20, 32),
                tmp.resolve("resnet20-other"));
        assertThat(other.digest()).isNotEqualTo(resnet20Manifest.digest());
    }

    @Test
    void rejectsABufferThatDoesNotMatchTheViewCount() {
        assertThatThrownBy(() -> resnet20Classifier.classify(new float[32 * 32 * 3], 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClosedClassifierRefusesWork() throws IOException {
        TensorFlowClassifier classifier = TensorFlowClassifier.load(tmp.resolve("resnet20"));
        classifier.close();
        classifier.close();
        assertThatThrownBy(() -> classifier.classify(new float[32 * 32 * 3], 1))
                .isInstanceOf(IllegalStateException.class);
    }

    private static void assertBatchMatchesSingles(Classifier classifier, int views, int side) {
        float[] batch = RandomViews.gaussian(views, side, 7);
        float[][] together = classifier.classify(batch, views);
        for (int v = 0; v < views; v++) {
            float[] alone = classifier.classify(RandomViews.view(batch, v, side), 1)[0];
            for (int c = 0; c < alone.length; c++) {
                assertThat(together[v][c]).isCloseTo(alone[c], within(1e-5f));
            }
        }
    }
}
