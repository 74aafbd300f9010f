package io.resnetstream.resnet.training;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.tools.TrainCommand;

import static org.assertj.core.api.Assertions.assertThat;

class TrainCommandTest {

    @TempDir
    Path tmp;

    @Test
    void aTinyRunExportsALoadableModelWithItsPreprocessingAndReport() throws Exception {
        Path out = tmp.resolve("shapes");
        StringWriter log = new StringWriter();
        int exit = new CommandLine(new TrainCommand())
                .setOut(new PrintWriter(log))
                .execute(
                        "--out",
                        out.toString(),
                        "--name",
                        "shapes-tiny",
                        "--arch",
                        "resnet8",
                        "--resize",
                        "20",
                        "--crop",
                        "16",
                        "--train-images",
                        "64",
                        "--test-images",
                        "16",
                        "--epochs",
                        "2",
                        "--batch",
                        "32",
                        "--supersampling",
                        "1");

        assertThat(exit).isZero();
        assertThat(log.toString())
                .contains("epoch 2/2")
                .contains("held-out (16 images)")
                .contains("exported");
        ModelManifest manifest = ModelManifest.read(out.resolve("manifest.json"));
        assertThat(manifest.name()).isEqualTo("shapes-tiny");
        assertThat(manifest.normalization()).isEqualTo("torch");
        assertThat(manifest.resize()).isEqualTo(20);
        assertThat(manifest.crop()).isEqualTo(16);
        assertThat(out.resolve("training.json"))
                .content()
                .contains("\"seed\" : 1")
                .contains("tenCrop");
        try (TensorFlowClassifier classifier = TensorFlowClassifier.load(out)) {
            assertThat(classifier.labels()).isEqualTo(ShapesDataset.LABELS);
        }
    }
}
