package io.resnetstream.topology;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;

import io.resnetstream.registry.InMemorySchemaRegistry;
import io.resnetstream.testing.ColourClassifier;
import io.resnetstream.testing.OperatorQueries;
import io.resnetstream.testing.OperatorQueries.PromQl;
import io.resnetstream.testing.PipelineDriver;
import io.resnetstream.testing.TestImages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dashboard's and the alerts' queries against the production assembly's own metrics: the pipeline runs on the
 * test driver with a Prometheus registry, is scraped, and every {@code resnet_*} name that a query reads must be in
 * the scrape. The Kafka clients' and Kafka Streams' metrics ({@code kafka_*}) exist only in a running service:
 * {@code OperatorViewsIT} checks every name against the real {@code /q/metrics}.
 */
class OperatorViewsTest {
    @TempDir
    Path stateDir;

    @Test
    void everyQueryOfOurOwnMetricsFindsItInTheScrape() throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (PipelineDriver pipeline = new PipelineDriver(
                Map.of(
                        "resnet.input-format", "raw",
                        "resnet.batch.max-images", "2",
                        "resnet.batch.max-delay", "60s"),
                new ColourClassifier(),
                null,
                new InMemorySchemaRegistry(),
                stateDir,
                meters,
                OpenTelemetry.noop())) {
            for (int i = 0; i < 4; i++) {
                pipeline.images.pipeInput(
                        ("img-" + i).getBytes(StandardCharsets.UTF_8),
                        TestImages.png(TestImages.solid(Color.GREEN, 20, 20)));
            }
            pipeline.images.pipeInput("bad".getBytes(StandardCharsets.UTF_8), new byte[0]);
            // batches run beside the stream thread; their outcomes go out at the next punctuation
            int predictions = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (predictions < 4 && System.nanoTime() < deadline) {
                pipeline.driver.advanceWallClockTime(Duration.ofMillis(20));
                predictions += pipeline.predictions.readValuesToList().size();
                Thread.sleep(5);
            }
            assertThat(predictions).isEqualTo(4);
            assertThat(pipeline.deadLetters.readValuesToList()).hasSize(1);
        }
        String scrape = meters.scrape();
        Set<String> exposed = OperatorQueries.sampleNames(scrape);

        List<OperatorQueries.Query> queries = OperatorQueries.all();
        assertThat(queries).hasSizeGreaterThan(15);
        assertThat(queries).allSatisfy(q -> assertThat(q.metrics())
                .as("%s reads some metric: %s", q.where(), q.expr())
                .isNotEmpty());
        List<OperatorQueries.Query> ours = queries.stream()
                .map(q -> new OperatorQueries.Query(
                        q.where(),
                        q.expr(),
                        Set.copyOf(q.metrics().stream()
                                .filter(name -> name.startsWith("resnet_"))
                                .toList())))
                .toList();
        assertThat(OperatorQueries.missing(ours, exposed))
                .as("queried but not exposed")
                .isEmpty();
        // whatever is not ours comes from the Kafka clients and Kafka Streams, or is Prometheus' own
        assertThat(queries.stream().flatMap(q -> q.metrics().stream()))
                .allMatch(name -> name.startsWith("resnet_")
                        || name.startsWith("kafka_")
                        || OperatorQueries.MADE_BY_PROMETHEUS.contains(name));
        assertThat(scrape)
                .contains("resnet_model_info{digest=\"")
                .contains("name=\"colour\"")
                .contains("resnet_dead_letters_total{reason=\"MALFORMED_EVENT\",} 1.0")
                .contains("resnet_predictions_total 4.0")
                .contains("resnet_batch_images_sum 4.0") // however the four images were grouped
                .contains("resnet_schema_registry_available 1.0");
    }

    @Test
    void theLexerFindsMetricNamesAndNothingElse() {
        assertThat(
                        PromQl.metricNames(
                                "histogram_quantile(0.95, sum by (le) (rate(resnet_image_queued_seconds_bucket{job=~\"$job\"}[$__rate_interval])))"))
                .containsExactly("resnet_image_queued_seconds_bucket");
        assertThat(PromQl.metricNames(
                        "sum(rate(a_total[5m])) by (job) / on (job) group_left (x) b offset 1h > bool 0.5"))
                .containsExactly("a_total", "b");
        assertThat(PromQl.metricNames("deriv(sum by (job) (lag{c!~\"x}y\"})[15m:1m]) > 0 and up == 0"))
                .containsExactly("lag", "up");
        assertThatThrownBy(() -> PromQl.metricNames("sum(rate(x[5m])")).hasMessageContaining("unbalanced");
        assertThatThrownBy(() -> PromQl.metricNames("x{a=\"b\"")).hasMessageContaining("unbalanced");
        assertThatThrownBy(() -> PromQl.metricNames("x # y")).hasMessageContaining("unexpected");
    }
}
