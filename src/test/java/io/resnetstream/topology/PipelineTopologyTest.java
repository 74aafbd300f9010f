package io.resnetstream.topology;

import java.awt.Color;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.ingest.InputFormat;
import io.resnetstream.registry.InMemorySchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.registry.serde.TopicNameStrategy;
import io.resnetstream.registry.serde.WireFormat;
import io.resnetstream.testing.ColourClassifier;
import io.resnetstream.testing.PipelineDriver;
import io.resnetstream.testing.TestImages;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production assembly ({@link Pipeline#assemble}) on Kafka Streams' test driver: batching, outcomes, dead
 * letters, with a stand-in model and an in-memory registry; records in and out are in the Confluent wire format,
 * written and read by the project's own serdes.
 */
class PipelineTopologyTest {
    private static final String IMAGES = ResnetConfig.Topics.IMAGES;

    private final ColourClassifier model = new ColourClassifier();
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final Serializer<ImageEvent> events =
            new AvroSerde<>(registry, ImageEvent.class, SerdeOptions.values().registeringSchemas()).serializer();

    @TempDir
    Path stateDir;

    private PipelineDriver pipeline;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> images;
    private TestOutputTopic<String, Prediction> predictions;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    private void start(InputFormat format, int maxImages, long maxDelayMs, long maxPixels) {
        start(format, maxImages, maxDelayMs, maxPixels, 0);
    }

    private void start(InputFormat format, int maxImages, long maxDelayMs, long maxPixels, int batchesInFlight) {
        start(Map.of(
                "resnet.input-format",
                format.name().toLowerCase(Locale.ROOT),
                "resnet.batch.max-images",
                String.valueOf(maxImages),
                "resnet.batch.max-delay",
                maxDelayMs + "ms",
                "resnet.batch.in-flight",
                String.valueOf(batchesInFlight),
                "resnet.limits.image-pixels",
                String.valueOf(maxPixels)));
    }

    /** The settings over the test kit's own: small limits, three classes, two preprocessing threads. */
    private void start(Map<String, String> settings) {
        pipeline = new PipelineDriver(settings, model, registry, stateDir);
        driver = pipeline.driver;
        images = pipeline.images;
        predictions = pipeline.predictions;
        deadLetters = pipeline.deadLetters;
    }

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aFullBatchRunsAtOnceAndEveryImageGetsOnePrediction() throws IOException {
        start(InputFormat.RAW, 4, 60_000, 1_000_000);
        Color[] colours = {Color.RED, Color.GREEN, Color.BLUE};
        for (int i = 0; i < 8; i++) {
            images.pipeInput(key("img-" + i), png(colours[i % 3], 20, 30));
        }

        List<Prediction> out = predictions.readValuesToList();
        assertThat(out)
                .extracting(Prediction::getImageId)
                .containsExactly("img-0", "img-1", "img-2", "img-3", "img-4", "img-5", "img-6", "img-7");
        assertThat(out)
                .extracting(p -> p.getTopK().get(0).getLabel())
                .containsExactly("red", "green", "blue", "red", "green", "blue", "red", "green");
        assertThat(out).allSatisfy(p -> {
            assertThat(p.getCropScheme()).isEqualTo("ten-crop");
            assertThat(p.getCropsAveraged()).isEqualTo(10);
            assertThat(p.getTopCropVotes()).isEqualTo(10);
            assertThat(p.getTimings().getBatchImages()).isEqualTo(4);
            assertThat(p.getModel().getName()).isEqualTo("colour");
            assertThat(p.getSource().getTopic()).isEqualTo(IMAGES);
        });
        assertThat(out).extracting(p -> p.getSource().getOffset()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        // two forward passes, each with all ten crops of four images
        assertThat(model.passes).containsExactly(40, 40);
        assertThat(buffer().approximateNumEntries()).isZero();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void batchesInFlightBesideTheStreamThreadStillGiveEveryImageOneOutcome() throws IOException {
        start(InputFormat.RAW, 4, 50, 1_000_000, 2);
        Color[] colours = {Color.RED, Color.GREEN, Color.BLUE};
        for (int i = 0; i < 14; i++) {
            byte[] image = i == 6 ? java.util.Arrays.copyOf(jpeg(Color.RED, 30, 30), 200) : png(colours[i % 3], 20, 30);
            images.pipeInput(key("img-" + i), image);
        }
        // Outcomes are forwarded by the punctuator once their batch is back from the inference threads.
        List<Prediction> out = new java.util.ArrayList<>();
        List<DeadLetter> dead = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() + dead.size() < 14 && System.nanoTime() < deadline) {
            driver.advanceWallClockTime(Duration.ofMillis(20));
            out.addAll(predictions.readValuesToList());
            dead.addAll(deadLetters.readValuesToList());
        }
        driver.advanceWallClockTime(Duration.ofMillis(200)); // nothing more may come
        out.addAll(predictions.readValuesToList());
        dead.addAll(deadLetters.readValuesToList());

        assertThat(out)
                .extracting(Prediction::getImageId)
                .doesNotHaveDuplicates()
                .hasSize(13)
                .doesNotContain("img-6");
        assertThat(out).allSatisfy(p -> assertThat(p.getTopK().get(0).getLabel())
                .isEqualTo(ColourClassifier.LABELS.get(
                        Integer.parseInt(p.getImageId().substring(4)) % 3)));
        assertThat(dead).extracting(d -> d.getImageId() + ":" + d.getReason()).containsExactly("img-6:UNDECODABLE");
        assertThat(model.passes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(13 * 10);
        assertThat(buffer().approximateNumEntries()).isZero();
    }

    @Test
    void aPartialBatchWaitsForTheDelayThenRuns() throws IOException {
        start(InputFormat.RAW, 10, 500, 1_000_000);
        images.pipeInput(key("a"), png(Color.RED, 16, 16));
        images.pipeInput(key("b"), png(Color.BLUE, 40, 16));

        assertThat(predictions.isEmpty()).isTrue();
        assertThat(buffer().approximateNumEntries()).isEqualTo(2); // accepted, held in the changelogged store

        driver.advanceWallClockTime(Duration.ofMillis(600));

        List<Prediction> out = predictions.readValuesToList();
        assertThat(out).extracting(Prediction::getImageId).containsExactly("a", "b");
        assertThat(out)
                .allSatisfy(p -> assertThat(p.getTimings().getBatchImages()).isEqualTo(2));
        assertThat(model.passes).containsExactly(20);
        assertThat(buffer().approximateNumEntries()).isZero();
    }

    @Test
    void badInputsGoToTheDeadLetterTopicAndTheRestPass() throws IOException {
        start(InputFormat.RAW, 3, 60_000, 50 * 50);
        byte[] notAnImage = "hello, not an image".getBytes(StandardCharsets.UTF_8);
        byte[] truncated = java.util.Arrays.copyOf(jpeg(Color.GREEN, 30, 30), 200);
        images.pipeInput(key("good-1"), png(Color.RED, 20, 20));
        images.pipeInput(key("text"), notAnImage);
        images.pipeInput(key("too-big"), png(Color.RED, 60, 60)); // 3,600 px over a 2,500 px limit
        images.pipeInput(key("truncated"), truncated);
        images.pipeInput(key("oversized"), new byte[1_000_001]); // over the 1,000,000-byte image limit
        images.pipeInput(key("good-2"), png(Color.BLUE, 20, 20));
        driver.advanceWallClockTime(Duration.ofSeconds(61)); // whatever still waits for its batch

        assertThat(predictions.readValuesToList())
                .extracting(Prediction::getImageId)
                .containsExactly("good-1", "good-2");
        List<DeadLetter> dead = deadLetters.readValuesToList();
        assertThat(dead)
                .extracting(d -> d.getOffset() + ":" + d.getReason())
                .containsExactlyInAnyOrder("1:UNSUPPORTED_FORMAT", "2:TOO_MANY_PIXELS", "3:UNDECODABLE", "4:TOO_LARGE");
        DeadLetter text =
                dead.stream().filter(d -> d.getOffset() == 1).findFirst().orElseThrow();
        assertThat(bytes(text.getPayload())).isEqualTo(notAnImage);
        assertThat(text.getPayloadSize()).isEqualTo(notAnImage.length);
        assertThat(text.getKey()).isEqualTo(ByteBuffer.wrap(key("text")));
        DeadLetter cut =
                dead.stream().filter(d -> d.getOffset() == 3).findFirst().orElseThrow();
        assertThat(cut.getPayload().remaining()).isEqualTo(100); // capped copy of the original bytes
        assertThat(cut.getPayloadSize()).isEqualTo(200);
        assertThat(buffer().approximateNumEntries()).isZero();
    }

    @Test
    void avroEventsAreReadAndMalformedOnesDeadLettered() throws IOException {
        start(InputFormat.AVRO, 2, 60_000, 1_000_000);
        ImageEvent withData = ImageEvent.newBuilder()
                .setImageId("evt-1")
                .setData(ByteBuffer.wrap(png(Color.GREEN, 20, 20)))
                .setEventTime(java.time.Instant.ofEpochMilli(1234))
                .build();
        ImageEvent empty = ImageEvent.newBuilder().setImageId("evt-2").build();
        ImageEvent byUri = ImageEvent.newBuilder()
                .setImageId("evt-3")
                .setUri("file:/etc/passwd")
                .build();
        images.pipeInput(key("k1"), events.serialize(IMAGES, withData));
        images.pipeInput(key("k2"), events.serialize(IMAGES, empty));
        images.pipeInput(key("k3"), events.serialize(IMAGES, byUri));
        images.pipeInput(key("k4"), new byte[] {1, 2, 3});
        images.pipeInput(
                key("k5"),
                events.serialize(
                        IMAGES,
                        ImageEvent.newBuilder(withData).setImageId("evt-5").build()));

        List<Prediction> out = predictions.readValuesToList();
        assertThat(out).extracting(Prediction::getImageId).containsExactly("evt-1", "evt-5");
        assertThat(out.get(0).getEventTime()).isEqualTo(java.time.Instant.ofEpochMilli(1234));
        assertThat(out.get(0).getTopK().get(0).getLabel()).isEqualTo("green");
        Set<String> reasons = deadLetters.readValuesToList().stream()
                .map(d -> d.getOffset() + ":" + d.getReason())
                .collect(Collectors.toSet());
        assertThat(reasons).containsExactlyInAnyOrder("1:MALFORMED_EVENT", "2:URI_NOT_ALLOWED", "3:MALFORMED_EVENT");
    }

    @Test
    void aUriIsFetchedInItsBatchWhileTheStreamThreadGoesOnClassifyingInlineImages() throws Exception {
        CountDownLatch answer = new CountDownLatch(1); // a slow web server: it answers when the test says so
        byte[] blue = png(Color.BLUE, 20, 20);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/images/", exchange -> {
            try {
                answer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, blue.length);
            exchange.getResponseBody().write(blue);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/images/";
            start(Map.of(
                    "resnet.input-format", "avro",
                    "resnet.batch.max-images", "1",
                    "resnet.batch.max-delay", "0ms",
                    "resnet.batch.in-flight", "2",
                    "resnet.fetch.allowed-schemes", "http",
                    "resnet.fetch.allowed-prefixes", base,
                    // the test's server is on loopback, which the address rules refuse unless allowed
                    "resnet.fetch.allowed-networks", "127.0.0.0/8"));
            long started = System.nanoTime();
            images.pipeInput(
                    key("u"),
                    events.serialize(
                            IMAGES,
                            ImageEvent.newBuilder()
                                    .setImageId("by-uri")
                                    .setUri(base + "blue.png")
                                    .build()));
            assertThat(pipeline.buffer().get(0L)).isNotNull(); // its reference waits; nothing was fetched
            for (int i = 1; i <= 3; i++) {
                images.pipeInput(
                        key("k" + i),
                        events.serialize(
                                IMAGES,
                                ImageEvent.newBuilder()
                                        .setImageId("inline-" + i)
                                        .setData(ByteBuffer.wrap(png(Color.RED, 20, 20)))
                                        .build()));
            }
            List<Prediction> out = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.size() < 3 && System.nanoTime() < deadline) {
                driver.advanceWallClockTime(Duration.ofMillis(20));
                out.addAll(predictions.readValuesToList());
            }
            // the inline images were classified while the fetch still waited on the server
            assertThat(answer.getCount()).isEqualTo(1);
            assertThat(out)
                    .extracting(Prediction::getImageId)
                    .containsExactlyInAnyOrder("inline-1", "inline-2", "inline-3");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));

            answer.countDown();
            deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.size() < 4 && System.nanoTime() < deadline) {
                driver.advanceWallClockTime(Duration.ofMillis(20));
                out.addAll(predictions.readValuesToList());
            }
            Prediction fetched = out.get(out.size() - 1);
            assertThat(fetched.getImageId()).isEqualTo("by-uri");
            assertThat(fetched.getTopK().get(0).getLabel()).isEqualTo("blue");
            assertThat(deadLetters.isEmpty()).isTrue();
            assertThat(buffer().approximateNumEntries()).isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aFetchedImageGetsTheChecksOfAnInlineOneAndFailsAloneInItsBatch() throws Exception {
        byte[] notAnImage = "<html>an error page</html>".getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/images/", exchange -> {
            exchange.sendResponseHeaders(200, notAnImage.length);
            exchange.getResponseBody().write(notAnImage);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/images/";
            start(Map.of(
                    "resnet.input-format", "avro",
                    "resnet.batch.max-images", "3",
                    "resnet.batch.in-flight", "0",
                    "resnet.fetch.allowed-schemes", "http",
                    "resnet.fetch.allowed-prefixes", base,
                    // the test's server is on loopback, which the address rules refuse unless allowed
                    "resnet.fetch.allowed-networks", "127.0.0.0/8"));
            images.pipeInput(
                    key("a"),
                    events.serialize(
                            IMAGES,
                            ImageEvent.newBuilder()
                                    .setImageId("inline-a")
                                    .setData(ByteBuffer.wrap(png(Color.GREEN, 20, 20)))
                                    .build()));
            images.pipeInput(
                    key("u"),
                    events.serialize(
                            IMAGES,
                            ImageEvent.newBuilder()
                                    .setImageId("by-uri")
                                    .setUri(base + "page.html")
                                    .build()));
            images.pipeInput(
                    key("o"),
                    events.serialize(
                            IMAGES,
                            ImageEvent.newBuilder()
                                    .setImageId("outside")
                                    .setUri("http://127.0.0.2/elsewhere.png")
                                    .build()));
            images.pipeInput(
                    key("b"),
                    events.serialize(
                            IMAGES,
                            ImageEvent.newBuilder()
                                    .setImageId("inline-b")
                                    .setData(ByteBuffer.wrap(png(Color.GREEN, 20, 20)))
                                    .build()));

            assertThat(predictions.readValuesToList())
                    .extracting(Prediction::getImageId)
                    .containsExactlyInAnyOrder("inline-a", "inline-b");
            assertThat(deadLetters.readValuesToList())
                    .extracting(d -> d.getImageId() + ":" + d.getReason())
                    .containsExactlyInAnyOrder("by-uri:UNSUPPORTED_FORMAT", "outside:URI_NOT_ALLOWED");
            assertThat(buffer().approximateNumEntries()).isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theBufferStoreKeepsAReferenceNotTheImage() throws IOException {
        start(InputFormat.RAW, 4, 60_000, 1_000_000);
        byte[] image = jpeg(Color.RED, 200, 200);
        images.pipeInput(key("img-0"), image);

        io.resnetstream.batching.internal.PendingImage reference =
                (io.resnetstream.batching.internal.PendingImage) buffer().get(0L);
        assertThat(reference.getImageBytes()).isEqualTo(image.length);
        assertThat(reference.getOffset()).isZero();
        byte[] changelogValue =
                new io.resnetstream.batching.PendingImageSerde().serializer().serialize("changelog", reference);
        assertThat(image.length).isGreaterThan(1_000);
        assertThat(changelogValue.length).isLessThan(100);
    }

    @Test
    void aFramedValueWhoseSchemaIdTheRegistryDoesNotKnowIsOneUnknownSchemaDeadLetter() throws IOException {
        start(InputFormat.AVRO, 2, 60_000, 1_000_000);
        byte[] unknownSchema = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 'x'}; // an id the registry never issued
        ImageEvent good = ImageEvent.newBuilder()
                .setImageId("evt-ok")
                .setData(ByteBuffer.wrap(png(Color.RED, 20, 20)))
                .build();
        images.pipeInput(key("stranger"), unknownSchema);
        images.pipeInput(key("k2"), events.serialize(IMAGES, good));
        driver.advanceWallClockTime(Duration.ofSeconds(61)); // whatever still waits for its batch

        List<DeadLetter> dead = deadLetters.readValuesToList();
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("UNKNOWN_SCHEMA");
            assertThat(d.getOffset()).isZero();
            assertThat(d.getMessage()).contains(String.valueOf(0x7f7f7f7f));
            assertThat(bytes(d.getPayload())).isEqualTo(unknownSchema);
            assertThat(d.getKey()).isEqualTo(ByteBuffer.wrap(key("stranger")));
        });
        assertThat(predictions.readValuesToList())
                .extracting(Prediction::getImageId)
                .containsExactly("evt-ok");
        assertThat(buffer().approximateNumEntries()).isZero();
    }

    @Test
    void outcomesAreConfluentFramedUnderTheirTopicsSubjects() throws IOException {
        start(InputFormat.RAW, 1, 60_000, 1_000_000);
        TestOutputTopic<String, byte[]> rawPredictions = driver.createOutputTopic(
                ResnetConfig.Topics.PREDICTIONS, new StringDeserializer(), new ByteArrayDeserializer());
        TestOutputTopic<String, byte[]> rawDeadLetters = driver.createOutputTopic(
                ResnetConfig.Topics.DEAD_LETTERS, new StringDeserializer(), new ByteArrayDeserializer());
        images.pipeInput(key("red"), png(Color.RED, 20, 20));
        images.pipeInput(key("text"), "not an image".getBytes(StandardCharsets.UTF_8));

        int predictionId = registry.latest(TopicNameStrategy.subject(ResnetConfig.Topics.PREDICTIONS, false))
                .id();
        int deadLetterId = registry.latest(TopicNameStrategy.subject(ResnetConfig.Topics.DEAD_LETTERS, false))
                .id();
        assertThat(registry.getById(predictionId)).isEqualTo(Prediction.getClassSchema());
        assertThat(registry.getById(deadLetterId)).isEqualTo(DeadLetter.getClassSchema());
        assertThat(rawPredictions.readValuesToList())
                .singleElement()
                .satisfies(v -> assertThat(WireFormat.parse(v).schemaId()).isEqualTo(predictionId));
        assertThat(rawDeadLetters.readValuesToList())
                .singleElement()
                .satisfies(v -> assertThat(WireFormat.parse(v).schemaId()).isEqualTo(deadLetterId));
    }

    @Test
    void withoutAutoRegisterTheOutcomesUseTheIdsAReleasePipelineRegistered() throws IOException {
        int predictionId = registry.register(
                TopicNameStrategy.subject(ResnetConfig.Topics.PREDICTIONS, false), Prediction.getClassSchema());
        start(Map.of(
                "resnet.input-format",
                "raw",
                "resnet.batch.max-images",
                "1",
                "resnet.batch.in-flight",
                "0",
                "resnet.registry.auto-register",
                "false"));
        TestOutputTopic<String, byte[]> rawPredictions = driver.createOutputTopic(
                ResnetConfig.Topics.PREDICTIONS, new StringDeserializer(), new ByteArrayDeserializer());

        images.pipeInput(key("blue"), png(Color.BLUE, 20, 20));

        assertThat(rawPredictions.readValuesToList())
                .singleElement()
                .satisfies(v -> assertThat(WireFormat.parse(v).schemaId()).isEqualTo(predictionId));
    }

    private KeyValueStore<Long, ?> buffer() {
        return pipeline.buffer();
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static byte[] png(Color colour, int w, int h) {
        return TestImages.png(TestImages.solid(colour, w, h));
    }

    static byte[] jpeg(Color colour, int w, int h) {
        return TestImages.encode(TestImages.solid(colour, w, h), "jpg");
    }
}
