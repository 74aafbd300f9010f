package io.resnetstream.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.resnet.ResNetSpec;

import static org.assertj.core.api.Assertions.assertThat;

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
}
