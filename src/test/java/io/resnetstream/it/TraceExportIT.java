package io.resnetstream.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.resnetstream.testing.TestImages;
import io.resnetstream.tools.ServiceProcess;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing switched on in the packaged service, exporting OTLP over HTTP to a stand-in collector (a JDK HTTP server
 * that keeps what it is sent): the batch spans arrive, named {@code classify batch}, with a link to the trace of the
 * image that came with a {@code traceparent} (OTLP protobuf carries names as UTF-8 and trace ids as their 16 bytes,
 * so both can be found in the request without decoding it). And with the default settings nothing is sent.
 */
class TraceExportIT {
    private static final String MODEL = System.getProperty("it.model.dir", ResnetConfig.Model.DEFAULT_DIR);
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-b7ad6b7169203331-01";

    private final StackClients stack = new StackClients();

    @Test
    void batchSpansReachTheCollectorLinkedToTheImagesTraces() throws Exception {
        classifyWithCollector(true);
    }

    /** The default, {@code quarkus.otel.sdk.disabled=true}: nothing is exported even with an endpoint set. */
    @Test
    void withTheDefaultSettingsNothingIsExported() throws Exception {
        classifyWithCollector(false);
    }

    private void classifyWithCollector(boolean tracing) throws Exception {
        List<byte[]> exported = new CopyOnWriteArrayList<>();
        List<String> paths = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            exported.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
            exchange.close();
        });
        collector.start();
        try {
            stack.createTopics(2);
            Map<String, String> settings = stack.serviceSettings(
                    MODEL,
                    Files.createTempDirectory("resnet-stream-" + stack.run + "-state")
                            .toString());
            settings.put("resnet.input-format", "raw");
            settings.put("resnet.batch.max-delay", "200ms");
            settings.put("quarkus.http.port", String.valueOf(freePort()));
            if (tracing) {
                settings.put("quarkus.otel.sdk.disabled", "false");
            }
            settings.put("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
            settings.put("quarkus.otel.exporter.otlp.traces.compression", "none");
            settings.put(
                    "quarkus.otel.exporter.otlp.traces.endpoint",
                    "http://127.0.0.1:" + collector.getAddress().getPort());
            settings.put("quarkus.otel.bsp.schedule.delay", "500ms");
            Path log = Path.of("target", "it-logs", stack.run + "-trace-export.log");
            try (ServiceProcess service = ServiceProcess.start(StackClients.APP, settings, log);
                    KafkaProducer<String, byte[]> producer = stack.producer()) {
                for (int i = 0; i < 4; i++) {
                    ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                            stack.images, stack.run + "-img-" + i, TestImages.jpeg(TestImages.disc(i, 120, 90)));
                    if (i == 0) {
                        record.headers().add("traceparent", TRACEPARENT.getBytes(StandardCharsets.US_ASCII));
                    }
                    producer.send(record);
                }
                producer.flush();
                List<ConsumerRecord<String, byte[]>> out =
                        stack.readOutputs(r -> r.size() >= 4, Duration.ofMinutes(3), service);
                assertThat(out).hasSize(4);

                if (!tracing) {
                    Thread.sleep(3000); // several export intervals (500 ms)
                    assertThat(paths).as("OTLP requests with the SDK disabled").isEmpty();
                    return;
                }
                byte[] spanName = "classify batch".getBytes(StandardCharsets.UTF_8);
                byte[] linkedTrace = HexFormat.of().parseHex(TRACE_ID);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline
                        && exported.stream().noneMatch(b -> contains(b, spanName) && contains(b, linkedTrace))) {
                    Thread.sleep(250);
                }
                assertThat(exported)
                        .as("OTLP requests to the collector (paths %s; service log %s)", paths, log)
                        .anySatisfy(body -> {
                            assertThat(contains(body, spanName)).isTrue();
                            assertThat(contains(body, linkedTrace)).isTrue();
                        });
                assertThat(paths).contains("/v1/traces");
            }
        } finally {
            collector.stop(0);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
