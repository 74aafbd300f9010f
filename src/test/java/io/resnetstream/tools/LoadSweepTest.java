package io.resnetstream.tools;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The arithmetic of {@code bench sweep} without a broker: offered loads, rates, percentiles, table and chart. */
class LoadSweepTest {

    @Test
    void loadsGoFromTheLowestToTheHighestInEvenSteps() {
        List<Double> loads = LoadSweep.loads(12, 0.1, 1.2);
        assertThat(loads).hasSize(12);
        for (int i = 0; i < 12; i++) {
            assertThat(loads.get(i)).isCloseTo(0.1 * (i + 1), within(1e-9));
        }
        assertThat(LoadSweep.loads(1, 0.1, 1.2)).containsExactly(1.2);
        assertThatThrownBy(() -> LoadSweep.loads(0, 0.1, 1.2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadSweep.loads(3, 0, 1.2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadSweep.loads(3, 1.2, 0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void percentilesAreThoseOfTheRecordedLatencies() {
        LoadSweep.Latencies latencies = new LoadSweep.Latencies();
        assertThat(latencies.percentile(99)).isZero();
        for (int ms = 100; ms >= 1; ms--) {
            latencies.add(ms);
        }
        assertThat(latencies.count()).isEqualTo(100);
        assertThat(latencies.percentile(50)).isEqualTo(50);
        assertThat(latencies.percentile(95)).isEqualTo(95);
        assertThat(latencies.percentile(99)).isEqualTo(99);
        assertThat(latencies.percentile(100)).isEqualTo(100);
    }

    @Test
    void ratesCountIntervalsSoThatLatencyAndBatchingDoNotBiasThem() {
        LoadSweep.Latencies latencies = new LoadSweep.Latencies();
        long[] polledAt = new long[48];
        for (int i = 0; i < polledAt.length; i++) {
            polledAt[i] = 5_000 + (i / 16) * 100L; // three batches of 16, 100 ms apart
            latencies.add(300);
        }
        // 11 images sent evenly over one second: 10 intervals, 10/s
        LoadSweep.Step step = LoadSweep.Step.of(0.5, 11, 1.0, polledAt, latencies, 16, 40, 120);
        assertThat(step.offered()).isCloseTo(10.0, within(1e-9));
        assertThat(step.achieved()).isCloseTo(32 / 0.2, within(1e-9)); // the 32 after the first poll, over 200 ms
        assertThat(step.outcomes()).isEqualTo(48);
        assertThat(step.p99()).isEqualTo(300);

        assertThat(LoadSweep.Step.drainRate(new long[] {7})).isNaN();
        assertThat(LoadSweep.Step.of(0.1, 1, 0, new long[0], new LoadSweep.Latencies(), 0, 0, 0)
                        .offered())
                .isNaN();
    }

    @Test
    void theTableShowsEveryStepAndTheChartIsAPng(@TempDir Path dir) throws Exception {
        List<LoadSweep.Step> steps = List.of(
                new LoadSweep.Step(0.1, 6.0, 6.0, 60, 60, 40, 70, 90, 95, 1.0, 2, 20),
                new LoadSweep.Step(0.5, 30.0, 29.8, 300, 300, 120, 180, 210, 250, 3.2, 30, 45),
                new LoadSweep.Step(1.2, 72.0, 60.1, 720, 719, 900, 1400, 1600, 1700, 15.8, 700, 150.4));
        String table = LoadSweep.table(steps);
        assertThat(table.lines())
                .hasSize(5)
                .allSatisfy(
                        line -> assertThat(line.chars().filter(c -> c == '|').count())
                                .isEqualTo(12)) // every row as many columns as the header
                .contains("| 50% | 30.0 | 29.8 | 300 | 120 | 180 | 210 | 250 | 3.2 | 30 | 45 |")
                .contains("| 120% | 72.0 | 60.1 | 720 (719 out) | 900 | 1400 | 1600 | 1700 | 15.8 | 700 | 150 |");

        Path png = dir.resolve("charts/sweep.png");
        System.setProperty("java.awt.headless", "true");
        LoadSweep.chart(steps, "test sweep", png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(960);
        assertThat(image.getHeight()).isEqualTo(600);
        assertThat(Files.size(png)).isGreaterThan(5_000); // axes, labels and four series, not an empty canvas
    }

    @Test
    void sweepIsASubcommandOfBenchAndBenchStillWantsItsModel() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        CommandLine bench = new CommandLine(new BenchCommand());
        bench.setOut(new java.io.PrintWriter(new PrintStream(captured, true, StandardCharsets.UTF_8), true));
        bench.setErr(new java.io.PrintWriter(new PrintStream(captured, true, StandardCharsets.UTF_8), true));

        assertThat(bench.execute("sweep", "--help")).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("--step-seconds")
                .contains("--capacity")
                .contains("--chart");
        assertThat(bench.execute("--no-kafka")).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("Missing required option: '--model");
    }
}
