package io.resnetstream.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's documented `bench --no-kafka` line, in process: it once threw without --batches-in-flight. It prints
 * both view placements, and the float bytes of ten views (10 × 40² × 3 × 4 for the shipped model, 10 × 224² × 3 × 4
 * at the paper's sizes).
 */
class BenchCommandTest {

    @Test
    void benchWithoutKafkaRunsAsDocumented() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = new CommandLine(new BenchCommand())
                    .execute(
                            "--no-kafka",
                            "--model",
                            "models/shapes-resnet20",
                            "--batch",
                            "2",
                            "--images",
                            "4",
                            "--image-size",
                            "64",
                            "--preprocessing-images",
                            "4",
                            "--photo-size",
                            "512");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(out).isZero();
        assertThat(out)
                .contains("bare model")
                .contains("decode + crops + forward, in memory")
                .contains("images/s")
                .contains("decode + views + forward, views on the host")
                .contains("decode + views + forward, views in the engine")
                .contains("S 46, crop 40: bytes handed to the model per image: 192,000 (float views)")
                .contains("S 256, crop 224: bytes handed to the model per image: 6,021,120 (float views)")
                .contains("64² JPEG to S 46: full")
                .contains("512² JPEG to S 256: full");
    }
}
