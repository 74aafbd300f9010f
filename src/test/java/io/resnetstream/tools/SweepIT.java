package io.resnetstream.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import io.resnetstream.testing.LocalStack;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/** A short {@code bench sweep} on the real broker and registry: two small steps, every outcome read, a chart. */
class SweepIT {

    @Test
    void aShortSweepMeasuresEveryStepAndDrawsTheChart(@TempDir Path dir) throws Exception {
        Path chart = dir.resolve("sweep.png");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = new CommandLine(new BenchCommand())
                    .execute(
                            "sweep",
                            "--bootstrap",
                            LocalStack.BOOTSTRAP,
                            "--registry",
                            LocalStack.REGISTRY_URL,
                            "--model",
                            ResnetConfig.Model.DEFAULT_DIR,
                            "--image-size",
                            "64",
                            "--capacity",
                            "4",
                            "--warm-up",
                            "8",
                            "--capacity-images",
                            "4",
                            "--steps",
                            "2",
                            "--from",
                            "0.5",
                            "--to",
                            "1",
                            "--step-seconds",
                            "2",
                            "--chart",
                            chart.toString());
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(out).isZero(); // non-zero when an outcome went missing
        assertThat(out)
                .contains("| 50% | ")
                .contains("| 100% | ")
                .contains("goal at 50% load")
                .contains("chart written to");
        assertThat(ImageIO.read(chart.toFile())).isNotNull();
    }
}
