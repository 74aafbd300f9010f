package io.resnetstream.topology;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.ingest.UriFetcher;
import io.resnetstream.ingest.UriPolicy;
import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;
import io.resnetstream.registry.InMemorySchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.testing.ColourClassifier;
import io.resnetstream.testing.PipelineDriver;
import io.resnetstream.testing.TestImages;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A token (a presigned query) and a password (user info) planted in hostile URI events, driven through the production
 * topology, must appear in no output: not in the dead letters (any field, key, header, the kept payload), not in the
 * predictions, not in the logs (every level of our own code), not in the metrics' scrape text, not in any exception
 * the fetcher raises (message, causes, stack trace).
 */
class SecretsStayInsideTest {
    private static final String TOKEN = "tok" + UUID.randomUUID().toString().replace("-", "");
    private static final String PASSWORD = "pw" + UUID.randomUUID().toString().replace("-", "");
    private static final int ID_BYTES = 1024;

    @TempDir
    Path stateDir;

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final Serializer<ImageEvent> events =
            new AvroSerde<>(registry, ImageEvent.class, SerdeOptions.values().registeringSchemas()).serializer();
    private final ConcurrentLinkedQueue<String> logs = new ConcurrentLinkedQueue<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder text = new StringBuilder(record.getLoggerName() + " " + record.getMessage());
            if (record instanceof ExtLogRecord ext) {
                text.append(' ').append(ext.getFormattedMessage());
            }
            if (record.getParameters() != null) {
                for (Object p : record.getParameters()) {
                    text.append(' ').append(p);
                }
            }
            if (record.getThrown() != null) {
                text.append(' ').append(stackTrace(record.getThrown()));
            }
            logs.add(text.toString());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final Map<String, Level> levels = new HashMap<>();

    private HttpServer server;
    private ExecutorService serverThreads;
    private String base;

    @BeforeEach
    void captureLogsAndServeImages() throws IOException {
        Logger.getLogger("").addHandler(capture);
        for (String name : List.of("io.resnetstream", "org.apache.hc")) {
            Logger logger = Logger.getLogger(name);
            levels.put(name, logger.getLevel());
            // every level of our own code; the HTTP client at INFO, as the service runs it (its DEBUG prints
            // request lines, which is why application.properties keeps org.apache.hc at INFO at build time)
            logger.setLevel(name.equals("io.resnetstream") ? Level.ALL : Level.INFO);
        }
        byte[] png = TestImages.png(TestImages.solid(Color.RED, 20, 20));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                switch (exchange.getRequestURI().getPath()) {
                    case "/images/ok.png" -> {
                        exchange.sendResponseHeaders(200, png.length);
                        exchange.getResponseBody().write(png);
                    }
                    case "/images/text.jpg" -> {
                        exchange.sendResponseHeaders(200, 5);
                        exchange.getResponseBody().write("hello".getBytes(StandardCharsets.US_ASCII));
                    }
                    case "/images/big.jpg" -> {
                        exchange.sendResponseHeaders(200, 2_000_000);
                        exchange.getResponseBody().write(new byte[2_000_000]);
                    }
                    case "/images/busy.jpg" -> exchange.sendResponseHeaders(503, -1);
                    default -> exchange.sendResponseHeaders(404, -1);
                }
            } catch (IOException e) {
                // the client hung up early (a body over the limit)
            }
        });
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort() + "/images/";
    }

    @AfterEach
    void restore() {
        Logger.getLogger("").removeHandler(capture);
        levels.forEach((name, level) -> Logger.getLogger(name).setLevel(level));
        server.stop(0);
        serverThreads.shutdownNow();
    }

    /** Hostile URIs, each with a secret, and the dead letter each must end as. */
    private Map<String, RejectReason> hostileUris() {
        Map<String, RejectReason> uris = new LinkedHashMap<>();
        uris.put("https://user:" + PASSWORD + "@images.example.com/a.jpg?token=" + TOKEN, RejectReason.URI_NOT_ALLOWED);
        uris.put(base + "missing.jpg?X-Amz-Signature=" + TOKEN, RejectReason.FETCH_FAILED);
        uris.put(base + "busy.jpg?sig=" + TOKEN, RejectReason.FETCH_FAILED);
        uris.put(base + "text.jpg?sig=" + TOKEN + "#" + TOKEN, RejectReason.UNSUPPORTED_FORMAT);
        uris.put(base + "big.jpg?sig=" + TOKEN, RejectReason.TOO_LARGE);
        uris.put(base + "%2e%2e/secret?sig=" + TOKEN, RejectReason.URI_NOT_ALLOWED);
        uris.put(base + "a b.jpg?sig=" + TOKEN, RejectReason.URI_NOT_ALLOWED);
        uris.put("http://user:" + PASSWORD + "@localhost/x?" + TOKEN, RejectReason.URI_NOT_ALLOWED);
        uris.put("ftp://u:" + PASSWORD + "@images.example.com/x?" + TOKEN, RejectReason.URI_NOT_ALLOWED);
        uris.put("http://" + PASSWORD + ":" + TOKEN + "@127.0.0.1/", RejectReason.URI_NOT_ALLOWED);
        return uris;
    }

    private Map<String, String> settings() {
        return Map.of(
                "resnet.fetch.allowed-schemes", "http,https",
                "resnet.fetch.allowed-prefixes", base + ",https://images.example.com/",
                "resnet.fetch.allowed-networks", "127.0.0.1/32",
                "resnet.fetch.max-attempts", "2",
                "resnet.fetch.backoff", "10ms",
                "resnet.fetch.timeout", "5s",
                "resnet.batch.max-images", "1",
                "resnet.batch.in-flight", "0",
                "resnet.limits.id-bytes", String.valueOf(ID_BYTES),
                "resnet.limits.dead-letter-payload-cap", "65536");
    }

    @Test
    void aPlantedTokenAndPasswordAppearInNoOutputLogMetricOrException() {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Map<String, RejectReason> expected = new LinkedHashMap<>();
        List<TestRecord<String, byte[]>> deadLetters;
        List<TestRecord<String, byte[]>> predictions;
        try (PipelineDriver pipeline =
                new PipelineDriver(settings(), new ColourClassifier(), registry, stateDir, meters)) {
            int n = 0;
            for (Map.Entry<String, RejectReason> hostile : hostileUris().entrySet()) {
                String id = "hostile-" + n++;
                expected.put(id, hostile.getValue());
                pipeline.images.pipeInput(utf8(id), event(id, hostile.getKey()));
            }
            // an id over the limit, on an event whose URI carries the token: rejected before any fetch
            String longId = "x".repeat(ID_BYTES + 1);
            expected.put(longId, RejectReason.INVALID_ID);
            pipeline.images.pipeInput(utf8("long"), event(longId, base + "ok.png?sig=" + TOKEN));
            // an event cut short after its URI: it does not decode, yet its bytes hold the token
            byte[] whole = event("cut", base + "ok.png?sig=" + TOKEN + "&user=" + PASSWORD);
            pipeline.images.pipeInput(utf8("cut"), concat(whole, new byte[] {1, 2, 3}));
            // and one that is fine: the prediction must not carry the token either
            pipeline.images.pipeInput(utf8("fine"), event("fine", base + "ok.png?sig=" + TOKEN));
            pipeline.driver.advanceWallClockTime(Duration.ofSeconds(1));

            deadLetters = rawTopic(pipeline, pipeline.config.topics().deadLetters());
            predictions = rawTopic(pipeline, pipeline.config.topics().predictions());
        }

        Deserializer<DeadLetter> decode =
                new AvroSerde<>(registry, DeadLetter.class, SerdeOptions.values()).deserializer();
        Map<String, String> reasons = new LinkedHashMap<>();
        List<String> everything = new ArrayList<>();
        for (TestRecord<String, byte[]> r : deadLetters) {
            everything.add(r.key());
            everything.add(latin1(r.value()));
            for (Header h : r.headers()) {
                everything.add(h.key() + "=" + (h.value() == null ? "" : latin1(h.value())));
            }
            DeadLetter d = decode.deserialize("images-dlq", r.value());
            reasons.put(d.getImageId() == null ? "(cut)" : d.getImageId(), d.getReason());
            everything.add(d.toString());
            everything.add(d.getMessage());
            everything.add(latin1(bytes(d.getPayload())));
            if (d.getKey() != null) {
                everything.add(latin1(bytes(d.getKey())));
            }
            assertThat(d.getPayloadSize())
                    .as("masked, not cut")
                    .isEqualTo(d.getPayload().remaining());
        }
        for (TestRecord<String, byte[]> r : predictions) {
            everything.add(r.key());
            everything.add(latin1(r.value()));
        }
        String scrape = meters.scrape();
        List<String> exceptions = new ArrayList<>();
        UriFetcher fetcher = new UriFetcher(
                new UriPolicy(
                        Set.of("http", "https"), List.of(base, "https://images.example.com/"), List.of("127.0.0.1/32")),
                1_000_000,
                Duration.ofSeconds(5),
                new UriFetcher.Retry(2, Duration.ofMillis(10)),
                UriFetcher.HostResolver.SYSTEM,
                null);
        for (String uri : hostileUris().keySet()) {
            try {
                fetcher.fetch(uri);
            } catch (RejectedInputException e) {
                exceptions.add(e.getMessage());
                exceptions.add(e.toString());
                exceptions.add(stackTrace(e));
            }
        }

        // the run did what it should: one dead letter per hostile event, with its reason, and one prediction
        expected.put("(cut)", RejectReason.MALFORMED_EVENT);
        Map<String, String> expectedNames = new LinkedHashMap<>();
        expected.forEach((id, reason) -> expectedNames.put(id, reason.name()));
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(expectedNames);
        assertThat(predictions).singleElement().satisfies(r -> assertThat(r.key())
                .isEqualTo("fine"));
        assertThat(scrape).contains("resnet_dead_letters_total");
        assertThat(String.join("\n", logs)).as("the capture works").contains("busy.jpg?[redacted]");
        assertThat(exceptions).hasSizeGreaterThanOrEqualTo(3 * 9);
        assertThat(String.join("\n", everything)).contains("?[redacted]", "?****");

        // and nothing anywhere holds a secret
        for (String secret : List.of(TOKEN, PASSWORD)) {
            assertThat(everything).as("outputs").noneMatch(s -> s != null && s.contains(secret));
            assertThat(logs).as("logs").noneMatch(s -> s.contains(secret));
            assertThat(scrape).as("metrics").doesNotContain(secret);
            assertThat(exceptions).as("exceptions").noneMatch(s -> s.contains(secret));
        }
    }

    private static List<TestRecord<String, byte[]>> rawTopic(PipelineDriver pipeline, String topic) {
        TestOutputTopic<String, byte[]> raw = pipeline.driver.createOutputTopic(
                topic, new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer());
        return raw.readRecordsToList();
    }

    private byte[] event(String id, String uri) {
        return events.serialize(
                ResnetConfig.Topics.IMAGES,
                ImageEvent.newBuilder().setImageId(id).setUri(uri).build());
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
