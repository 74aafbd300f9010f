package io.resnetstream.tools;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The arithmetic of {@code bench sweep}, apart from Kafka: the offered rate of each step, what one step measured, the
 * table and the chart.
 */
final class LoadSweep {
    private LoadSweep() {}

    /**
     * Offered rates from {@code from} to {@code to} of {@code capacity} (images/s) in {@code steps} even steps, both
     * ends included (0.1 to 1.2 in 12 steps: 10%, 20%, ... 120%).
     */
    static List<Double> loads(int steps, double from, double to) {
        if (steps < 1 || from <= 0 || to < from) {
            throw new IllegalArgumentException("steps ≥ 1 and 0 < from ≤ to, got " + steps + ", " + from + ", " + to);
        }
        List<Double> out = new ArrayList<>(steps);
        for (int i = 0; i < steps; i++) {
            out.add(steps == 1 ? to : from + (to - from) * i / (steps - 1));
        }
        return out;
    }

    /** Latencies in milliseconds; percentiles as HdrHistogram gives them (3 significant digits: exact below 2 s). */
    static final class Latencies {
        private final Histogram histogram = new Histogram(3);

        void add(long millis) {
            histogram.recordValue(Math.max(0, millis));
        }

        long count() {
            return histogram.getTotalCount();
        }

        /** The smallest recorded latency that {@code percent}% of the recorded ones do not exceed; 0 when empty. */
        long percentile(double percent) {
            return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percent);
        }
    }

    /**
     * What one step measured. Rates are counted over spans, so that an unsaturated pipeline achieves what is offered
     * whatever its latency, and a saturated one shows the rate it drains at: (n − 1) sends over the time from the first
     * send to the last; the outcomes read after the first poll that returned any, over the time from that poll to the
     * last (outcomes arrive a batch at a time).
     *
     * @param load      the offered rate as a fraction of capacity
     * @param offered   images/s sent
     * @param achieved  outcomes/s read (predictions and dead letters)
     * @param outcomes  outcomes read of the {@code sent} images
     * @param meanBatch the mean over the step's predictions of the batch each was classified in
     * @param meanQueuedMs the mean over the step's predictions of the time from acceptance to the start of the batch
     * @param meanInferenceMs the mean over the step's predictions of their batch's wall time (decode, crops, forward)
     */
    record Step(
            double load,
            double offered,
            double achieved,
            int sent,
            int outcomes,
            long p50,
            long p95,
            long p99,
            long max,
            double meanBatch,
            double meanQueuedMs,
            double meanInferenceMs) {

        /**
         * @param outcomePolledAtMs when each outcome was read (the consumer's poll), one entry per outcome
         * @param latencies         the same outcomes' latencies
         */
        static Step of(
                double load,
                int sent,
                double sendSpanSeconds,
                long[] outcomePolledAtMs,
                Latencies latencies,
                double meanBatch,
                double meanQueuedMs,
                double meanInferenceMs) {
            return new Step(
                    load,
                    sent < 2 || sendSpanSeconds <= 0 ? Double.NaN : (sent - 1) / sendSpanSeconds,
                    drainRate(outcomePolledAtMs),
                    sent,
                    (int) latencies.count(),
                    latencies.percentile(50),
                    latencies.percentile(95),
                    latencies.percentile(99),
                    latencies.percentile(100),
                    meanBatch,
                    meanQueuedMs,
                    meanInferenceMs);
        }

        /** Outcomes per second after the first poll that returned any, up to the last; NaN without two polls. */
        static double drainRate(long[] polledAtMs) {
            if (polledAtMs.length == 0) {
                return Double.NaN;
            }
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (long t : polledAtMs) {
                first = Math.min(first, t);
                last = Math.max(last, t);
            }
            int afterFirst = 0;
            for (long t : polledAtMs) {
                afterFirst += t > first ? 1 : 0;
            }
            return last == first ? Double.NaN : afterFirst / ((last - first) / 1e3);
        }
    }

    static String table(List<Step> steps) {
        StringBuilder out = new StringBuilder();
        out.append("| load | offered img/s | achieved img/s | images | p50 ms | p95 ms | p99 ms | max ms | mean batch"
                + " | queued ms | batch ms |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Step s : steps) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %.0f%% | %.1f | %.1f | %d%s | %d | %d | %d | %d | %.1f | %.0f | %.0f |%n",
                    s.load() * 100,
                    s.offered(),
                    s.achieved(),
                    s.sent(),
                    s.outcomes() == s.sent() ? "" : " (" + s.outcomes() + " out)",
                    s.p50(),
                    s.p95(),
                    s.p99(),
                    s.max(),
                    s.meanBatch(),
                    s.meanQueuedMs(),
                    s.meanInferenceMs()));
        }
        return out.toString();
    }

    /**
     * A PNG: latency percentiles (left axis) and the mean batch formed (right axis) against the achieved throughput.
     */
    static void chart(List<Step> steps, String title, Path png) throws IOException {
        // in load order, not sorted by throughput: past saturation the throughput falls back while the load grows
        XYSeries p50 = new XYSeries("p50 latency", false, true);
        XYSeries p95 = new XYSeries("p95 latency", false, true);
        XYSeries p99 = new XYSeries("p99 latency", false, true);
        XYSeries batch = new XYSeries("mean batch (images)", false, true);
        for (Step s : steps) {
            if (Double.isNaN(s.achieved())) {
                continue; // fewer than two outcomes: no rate to place it at
            }
            p50.add(s.achieved(), s.p50());
            p95.add(s.achieved(), s.p95());
            p99.add(s.achieved(), s.p99());
            batch.add(s.achieved(), s.meanBatch());
        }
        XYSeriesCollection latencies = new XYSeriesCollection();
        latencies.addSeries(p50);
        latencies.addSeries(p95);
        latencies.addSeries(p99);

        XYPlot plot = new XYPlot(
                latencies,
                new NumberAxis("achieved throughput (images/s)"),
                new NumberAxis("latency, produce to read_committed (ms)"),
                new XYLineAndShapeRenderer());
        plot.setDataset(1, new XYSeriesCollection(batch));
        plot.setRangeAxis(1, new NumberAxis("mean batch (images)"));
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer batchRenderer = new XYLineAndShapeRenderer();
        batchRenderer.setSeriesPaint(0, Color.GRAY);
        batchRenderer.setSeriesStroke(
                0, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        plot.setRenderer(1, batchRenderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);

        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        Path dir = png.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 960, 600);
    }
}
