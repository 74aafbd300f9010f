package io.resnetstream.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.ModelDigest;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.inference.ViewAverage;
import io.resnetstream.resnet.ResNetSpec;
import io.resnetstream.testing.ForeignModels;
import io.resnetstream.testing.ViewChecks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ModelCommandsTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        return new CommandLine(command)
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void archTableListsThePapersNetworksWithTheirCounts() {
        assertThat(run(new ArchTableCommand())).isZero();
        String table = out.toString();
        assertThat(table.lines()).hasSize(1 + ResNetSpec.PAPER_ARCHITECTURES.size());
        assertThat(table)
                .contains("resnet50")
                .contains("25,557,032")
                .contains("resnet110")
                .contains("269,722");
    }

    @Test
    void archTableMeasuresWhenAsked() {
        assertThat(run(
                        new ArchTableCommand(),
                        "--archs",
                        "resnet20",
                        "--measure",
                        "--batches",
                        "1,4",
                        "--seconds",
                        "0.1"))
                .isZero();
        assertThat(out.toString().lines()).hasSize(2);
        assertThat(out.toString()
                        .lines()
                        .skip(1)
                        .findFirst()
                        .orElseThrow()
                        .trim()
                        .split("\\s+"))
                .hasSize(9);
    }

    @Test
    void buildModelsExportsEachArchitecture() throws Exception {
        assertThat(run(
                        new ModelBuildCommand(),
                        "--out",
                        tmp.toString(),
                        "--arch",
                        "resnet20,resnet8",
                        "--classes",
                        "3",
                        "--input",
                        "24",
                        "--shortcut",
                        "B",
                        "--benchmark",
                        "2"))
                .isZero();
        try (TensorFlowClassifier classifier = TensorFlowClassifier.load(tmp.resolve("resnet8-b"))) {
            assertThat(classifier.labels()).hasSize(3);
            assertThat(classifier.manifest().crop()).isEqualTo(24);
            assertThat(classifier.manifest().resize()).isEqualTo(27);
        }
        assertThat(tmp.resolve("resnet20-b").resolve("manifest.json")).isRegularFile();
        assertThat(out.toString()).contains("batch 2:");
    }

    @Test
    void unknownArchitecturesAreUsageErrors() {
        assertThat(run(new ModelBuildCommand(), "--out", tmp.toString(), "--arch", "vgg16"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("unknown architecture: vgg16");
    }

    /**
     * A foreign model (no manifest, no views signatures) wrapped into a new directory through the CLI: the copy makes
     * its views in its own graph and agrees with the original's composed views; the original's files are left as
     * they were; a wrapped model (the shipped one is) is refused.
     */
    @Test
    void wrapWritesAModelWithTheViewsSignatures() throws Exception {
        Path foreign = tmp.resolve("foreign");
        ForeignModels.exportIdentityModel(foreign, 8);
        byte[] graphBefore = Files.readAllBytes(foreign.resolve("saved_model.pb"));
        Path wrapped = tmp.resolve("wrapped");
        assertThat(run(
                        new WrapCommand(),
                        "--model",
                        foreign.toString(),
                        "--out",
                        wrapped.toString(),
                        "--normalization",
                        "torch",
                        "--resize",
                        "9"))
                .as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("views_ten_crop").contains("torch");
        assertThat(Files.readAllBytes(foreign.resolve("saved_model.pb"))).isEqualTo(graphBefore);
        List<DecodedImage> images =
                ViewChecks.randomImages(9, new int[][] {{9, 9}, {13, 9}, {9, 12}, {13, 9}, {10, 9}});
        ModelManifest given = new ModelManifest("foreign", "1", null, "torch", 9, 8, null, null, false, null);
        try (TensorFlowClassifier original = TensorFlowClassifier.load(foreign, given);
                TensorFlowClassifier copy = TensorFlowClassifier.load(wrapped)) {
            assertThat(copy.manifest().digest()).isEqualTo(ModelDigest.of(wrapped));
            assertThat(copy.labels()).isEqualTo(original.labels());
            for (CropScheme scheme : CropScheme.values()) {
                Preprocessor views = new Preprocessor(9, 8, scheme, Normalization.TORCH);
                assertThat(copy.viewsInSignature(views)).isTrue();
                assertThat(original.viewsInSignature(views)).isFalse();
                List<ViewAverage> expected = original.classifyResized(images, views);
                List<ViewAverage> actual = copy.classifyResized(images, views);
                for (int i = 0; i < images.size(); i++) {
                    assertThat(actual.get(i).meanProbabilities())
                            .as("%s image %d", scheme, i)
                            .containsExactly(expected.get(i).meanProbabilities(), within(1e-5f));
                    assertThat(actual.get(i).viewTop1())
                            .isEqualTo(expected.get(i).viewTop1());
                }
            }
        }
        Path shipped = Path.of("models/shapes-resnet20");
        assertThat(ModelManifest.read(shipped.resolve(ModelManifest.FILE_NAME)).viewSignatures())
                .containsKeys("ten-crop", "center-crop");
        assertThat(run(
                        new WrapCommand(),
                        "--model",
                        shipped.toString(),
                        "--out",
                        tmp.resolve("twice").toString()))
                .isNotZero();
        assertThat(err.toString()).contains("already");
    }
}
