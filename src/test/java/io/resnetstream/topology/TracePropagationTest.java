package io.resnetstream.topology;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.registry.InMemorySchemaRegistry;
import io.resnetstream.testing.ColourClassifier;
import io.resnetstream.testing.PipelineDriver;
import io.resnetstream.testing.TestImages;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trace context through the production assembly: each input's {@code traceparent} header reaches its outcome's
 * headers (prediction, or dead letter rejected at intake or in its batch), and each batch makes one span, on the
 * inference thread that runs it, linked to the contexts of the images in it; an OpenTelemetry SDK with an in-memory
 * exporter collects the spans.
 */
class TracePropagationTest {
    private static final String TA = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final String TB = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
    private static final String TC = "00-11111111111111111111111111111111-2222222222222222-01";
    private static final String TD = "00-33333333333333333333333333333333-4444444444444444-01";
    private static final String TE = "00-55555555555555555555555555555555-6666666666666666-01";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    /** The span current while the model ran, and the thread it ran on, per forward pass. */
    private final Map<String, SpanContext> spanInModel = new ConcurrentHashMap<>();

    @TempDir
    Path stateDir;

    private PipelineDriver pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        otel.close();
    }

    @Test
    void traceparentReachesEveryOutcomeAndEachBatchSpanLinksItsImages() throws Exception {
        pipeline = new PipelineDriver(
                Map.of(
                        "resnet.input-format", "raw",
                        "resnet.batch.max-images", "3",
                        "resnet.batch.max-delay", "60s",
                        "resnet.batch.in-flight", "2"), // batches on the coordinator's threads
                new SpanWatchingModel(new ColourClassifier()),
                null,
                new InMemorySchemaRegistry(),
                stateDir,
                new SimpleMeterRegistry(),
                otel);
        byte[] red = TestImages.png(TestImages.solid(Color.RED, 20, 30));
        byte[] corrupt = corruptPixelData(TestImages.png(TestImages.solid(Color.RED, 20, 30)));

        // batch 1: two traced images and one without
        send("img-0", red, TA);
        send("img-1", red, TB);
        send("img-2", red, null);
        // an empty value is rejected at intake: a dead letter at once, with its trace context
        send("img-3", new byte[0], TE);
        // batch 2: a malformed traceparent (ignored), a traced image, a traced image that fails to decode
        send("img-4", red, "00-not-a-trace-context");
        send("img-5", red, TC);
        send("img-6", corrupt, TD);

        Map<String, TestRecord<String, Prediction>> predictions = new HashMap<>();
        Map<String, TestRecord<String, DeadLetter>> deadLetters = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (predictions.size() + deadLetters.size() < 7 && System.nanoTime() < deadline) {
            pipeline.driver.advanceWallClockTime(Duration.ofMillis(20));
            pipeline.predictions.readRecordsToList().forEach(r -> predictions.put(r.key(), r));
            pipeline.deadLetters.readRecordsToList().forEach(r -> deadLetters.put(r.key(), r));
            Thread.sleep(5);
        }

        assertThat(predictions.keySet()).containsExactlyInAnyOrder("img-0", "img-1", "img-2", "img-4", "img-5");
        assertThat(deadLetters.keySet()).containsExactlyInAnyOrder("img-3", "img-6");
        assertThat(traceparent(predictions.get("img-0").headers())).isEqualTo(TA);
        assertThat(traceparent(predictions.get("img-1").headers())).isEqualTo(TB);
        assertThat(traceparent(predictions.get("img-2").headers())).isNull();
        assertThat(traceparent(predictions.get("img-4").headers())).isNull();
        assertThat(traceparent(predictions.get("img-5").headers())).isEqualTo(TC);
        assertThat(traceparent(deadLetters.get("img-3").headers())).isEqualTo(TE);
        assertThat(deadLetters.get("img-3").value().getReason()).isEqualTo("MALFORMED_EVENT");
        assertThat(traceparent(deadLetters.get("img-6").headers())).isEqualTo(TD);
        assertThat(deadLetters.get("img-6").value().getReason()).isEqualTo("UNDECODABLE");

        // How images group into batches is the coordinator's business (it starts a batch as soon as a slot is free):
        // whatever the grouping, each batch is one span, and each traced image's context is linked exactly once.
        List<SpanData> batches = spans.getFinishedSpanItems();
        assertThat(batches).isNotEmpty().allSatisfy(span -> {
            assertThat(span.getName()).isEqualTo(OpenTelemetryBatchTracing.SPAN_NAME);
            assertThat(span.getParentSpanContext().isValid()).isFalse(); // a batch is no one trace's child
            assertThat(linked(span))
                    .hasSize(Math.toIntExact(span.getAttributes().get(OpenTelemetryBatchTracing.BATCH_TRACED)));
        });
        assertThat(batches.stream().flatMap(span -> linked(span).stream())).containsExactlyInAnyOrder(TA, TB, TC, TD);
        assertThat(batches.stream()
                        .mapToLong(span -> span.getAttributes().get(OpenTelemetryBatchTracing.BATCH_IMAGES))
                        .sum())
                .as("images in batches: all but the one rejected at intake")
                .isEqualTo(6);
        Set<String> batchSpanIds =
                batches.stream().map(SpanData::getSpanId).collect(java.util.stream.Collectors.toSet());
        // the model ran inside each batch's span, on an inference thread, not on the stream thread
        assertThat(spanInModel).isNotEmpty().allSatisfy((thread, context) -> {
            assertThat(thread).isNotEqualTo(Thread.currentThread().getName());
            assertThat(batchSpanIds).contains(context.getSpanId());
        });
    }

    @Test
    void aHeaderThatIsNoValidTraceparentIsIgnored() {
        assertThat(TraceContexts.traceparent(headers(TA))).isEqualTo(TA);
        assertThat(TraceContexts.traceparent(headers("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x")))
                .as("version 00 has exactly four fields")
                .isNull();
        assertThat(TraceContexts.traceparent(headers("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x")))
                .as("a later version may add fields; its first four are read as 00")
                .isEqualTo(TA);
        assertThat(TraceContexts.traceparent(headers("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")))
                .isNull();
        assertThat(TraceContexts.traceparent(headers("00-00000000000000000000000000000000-b7ad6b7169203331-01")))
                .isNull();
        assertThat(TraceContexts.traceparent(headers("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01")))
                .as("upper case hex is not W3C")
                .isNull();
        assertThat(TraceContexts.traceparent(headers("00-" + "a".repeat(300)))).isNull();
        RecordHeaders nullValue = new RecordHeaders();
        nullValue.add("traceparent", null);
        assertThat(TraceContexts.traceparent(nullValue)).isNull();
        assertThat(TraceContexts.traceparent(new RecordHeaders())).isNull();
    }

    /** A PNG whose header is sound (it passes intake) and whose pixel data is not (it fails in its batch). */
    private static byte[] corruptPixelData(byte[] png) {
        byte[] bytes = png.clone();
        int idat = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("IDAT");
        java.util.Arrays.fill(bytes, idat + 4, Math.min(bytes.length - 12, idat + 24), (byte) 0xFF);
        return bytes;
    }

    private static RecordHeaders headers(String traceparent) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", traceparent.getBytes(StandardCharsets.US_ASCII));
        return headers;
    }

    private void send(String id, byte[] image, String traceparent) {
        RecordHeaders headers = new RecordHeaders();
        if (traceparent != null) {
            headers.add("traceparent", traceparent.getBytes(StandardCharsets.US_ASCII));
        }
        pipeline.images.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), image, headers));
    }

    private static String traceparent(org.apache.kafka.common.header.Headers headers) {
        Header h = headers.lastHeader("traceparent");
        return h == null ? null : new String(h.value(), StandardCharsets.US_ASCII);
    }

    private static List<String> linked(SpanData span) {
        return span.getLinks().stream()
                .map(LinkData::getSpanContext)
                .map(c -> "00-" + c.getTraceId() + "-" + c.getSpanId() + "-"
                        + c.getTraceFlags().asHex())
                .toList();
    }

    /** The stand-in model, noting which span was current when it ran. */
    private final class SpanWatchingModel implements Classifier {
        private final Classifier model;

        SpanWatchingModel(Classifier model) {
            this.model = model;
        }

        @Override
        public float[][] classify(float[] nhwc, int views) {
            spanInModel.put(
                    Thread.currentThread().getName() + "#" + spanInModel.size(),
                    Span.current().getSpanContext());
            return model.classify(nhwc, views);
        }

        @Override
        public ModelManifest manifest() {
            return model.manifest();
        }

        @Override
        public List<String> labels() {
            return model.labels();
        }

        @Override
        public void close() {
            model.close();
        }
    }
}
