package io.resnetstream.topology;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.ingest.AvroLimits;
import io.resnetstream.outcome.RejectReason;
import io.resnetstream.registry.InMemorySchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.registry.serde.WireFormat;
import io.resnetstream.testing.ColourClassifier;
import io.resnetstream.testing.FlakyRegistry;
import io.resnetstream.testing.PipelineDriver;
import io.resnetstream.testing.TestImages;
import io.resnetstream.tools.SampleImages;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile world, record by record, through the production assembly: every kind ends as exactly one dead letter
 * with its reason, the record after it is classified as usual, and nothing is left in the buffer. (The stream
 * thread failing instead would surface here as an exception out of {@code pipeInput}.)
 */
class HostileInputTest {
    private static final String IMAGES = ResnetConfig.Topics.IMAGES;
    private static final int ID_BYTES = 1024;

    @TempDir
    Path stateDir;

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final Serializer<ImageEvent> events =
            new AvroSerde<>(registry, ImageEvent.class, SerdeOptions.values().registeringSchemas()).serializer();

    /** One hostile record: how to make it (given the registry), the input format, and the reason expected. */
    record Hostile(
            String name, String format, byte[] key, Function<HostileInputTest, byte[]> value, RejectReason reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                        raw("an empty value", new byte[0], RejectReason.MALFORMED_EVENT),
                        raw("one byte", new byte[] {7}, RejectReason.UNSUPPORTED_FORMAT),
                        raw("plain text", utf8("hello, not an image"), RejectReason.UNSUPPORTED_FORMAT),
                        raw(
                                "an SVG image",
                                utf8("<svg xmlns='http://www.w3.org/2000/svg'/>"),
                                RejectReason.UNSUPPORTED_FORMAT),
                        raw("a PDF", utf8("%PDF-1.7\n%âãÏÓ\n1 0 obj"), RejectReason.UNSUPPORTED_FORMAT),
                        raw("a JPEG cut after 200 bytes", Arrays.copyOf(jpeg(), 200), RejectReason.UNDECODABLE),
                        raw("a JPEG marker then junk", SampleImages.corruptJpeg(3), RejectReason.UNDECODABLE),
                        raw(
                                "a JPEG with its end marker before any scan",
                                new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9},
                                RejectReason.UNDECODABLE),
                        raw(
                                "a JPEG scan before its frame header",
                                new byte[] {
                                    (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0
                                },
                                RejectReason.UNDECODABLE),
                        raw(
                                "a JPEG claiming 3,000 refinement scans",
                                TestImages.withExtraScans(jpeg(), 3000),
                                RejectReason.TOO_MANY_SCANS),
                        raw(
                                "a PNG bomb claiming 50000x50000",
                                TestImages.pngClaiming(50_000, 50_000),
                                RejectReason.TOO_MANY_PIXELS),
                        raw(
                                "a PNG whose sides overflow a long",
                                TestImages.pngClaiming(0xFFFF_FFFFL, 0xFFFF_FFFFL),
                                RejectReason.TOO_MANY_PIXELS),
                        raw(
                                "a 30000x1 PNG, 480000x16 once resized",
                                TestImages.pngClaiming(30_000, 1),
                                RejectReason.TOO_MANY_PIXELS),
                        raw("a PNG of width 0", TestImages.pngClaiming(0, 10), RejectReason.UNDECODABLE),
                        raw("a PNG whose first chunk is not IHDR", pngWithoutIhdr(), RejectReason.UNDECODABLE),
                        raw(
                                "a GIF claiming a 60000x60000 frame",
                                TestImages.gifClaimingFrame(60_000, 60_000),
                                RejectReason.TOO_MANY_PIXELS),
                        raw(
                                "a JPEG header claiming 65535x65535",
                                TestImages.jpegClaiming(jpeg(), 65_535, 65_535),
                                RejectReason.TOO_MANY_PIXELS),
                        raw("an image over the byte limit", new byte[1_000_001], RejectReason.TOO_LARGE),
                        new Hostile(
                                "a key over the id limit",
                                "raw",
                                new byte[ID_BYTES + 1],
                                t -> png(),
                                RejectReason.INVALID_ID),
                        new Hostile(
                                "a key that is not UTF-8",
                                "raw",
                                new byte[] {'a', (byte) 0xC3, 0x28},
                                t -> png(),
                                RejectReason.INVALID_ID),
                        new Hostile(
                                "a 3 MiB key of invalid UTF-8",
                                "raw",
                                filled(3 << 20, (byte) 0xFF),
                                t -> png(),
                                RejectReason.INVALID_ID),
                        avro(
                                "a value without the Confluent magic byte",
                                t -> new byte[] {1, 0, 0, 0, 1, 2},
                                RejectReason.MALFORMED_EVENT),
                        avro("a framed value of three bytes", t -> new byte[] {0, 0, 0}, RejectReason.MALFORMED_EVENT),
                        avro(
                                "a schema id the registry never issued",
                                t -> new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 'x'},
                                RejectReason.UNKNOWN_SCHEMA),
                        avro(
                                "a PROTOBUF schema id",
                                t -> WireFormat.encode(t.registry.registerForeign("PROTOBUF"), new byte[4]),
                                RejectReason.UNSUPPORTED_SCHEMA),
                        avro(
                                "a JSON schema id",
                                t -> WireFormat.encode(t.registry.registerForeign("JSON"), new byte[4]),
                                RejectReason.UNSUPPORTED_SCHEMA),
                        avro(
                                "16 bytes claiming 20 million attributes",
                                HostileInputTest::hugeMapClaim,
                                RejectReason.MALFORMED_EVENT),
                        avro(
                                "an event cut in its middle",
                                t -> Arrays.copyOf(t.event(ok("cut").build()), 30),
                                RejectReason.MALFORMED_EVENT),
                        avro(
                                "an event with bytes left over",
                                t -> concat(t.event(ok("long").build()), new byte[] {1, 2, 3}),
                                RejectReason.MALFORMED_EVENT),
                        avro(
                                "an event with neither data nor uri",
                                t -> t.event(
                                        ImageEvent.newBuilder().setImageId("x").build()),
                                RejectReason.MALFORMED_EVENT),
                        avro(
                                "an event whose imageId is over the id limit",
                                t -> t.event(ok("x".repeat(ID_BYTES + 1)).build()),
                                RejectReason.INVALID_ID),
                        avro(
                                "an event naming a file it may not read",
                                t -> t.event(ImageEvent.newBuilder()
                                        .setImageId("u")
                                        .setUri("file:/etc/passwd")
                                        .build()),
                                RejectReason.URI_NOT_ALLOWED),
                        avro(
                                "an event with a corrupt JPEG inside",
                                t -> t.event(ok("c").setData(ByteBuffer.wrap(SampleImages.corruptJpeg(1)))
                                        .build()),
                                RejectReason.UNDECODABLE),
                        avro(
                                "an event with a PNG bomb inside",
                                t -> t.event(ok("b").setData(ByteBuffer.wrap(TestImages.pngClaiming(50_000, 50_000)))
                                        .build()),
                                RejectReason.TOO_MANY_PIXELS),
                        avro(
                                "an event with an image over the byte limit",
                                t -> t.event(ok("big")
                                        .setData(ByteBuffer.wrap(new byte[1_000_001]))
                                        .build()),
                                RejectReason.TOO_LARGE))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void endsAsOneDeadLetterAndTheStreamGoesOn(Hostile hostile) {
        try (PipelineDriver pipeline = new PipelineDriver(
                Map.of(
                        "resnet.input-format",
                        hostile.format(),
                        "resnet.batch.max-images",
                        "1",
                        "resnet.batch.in-flight",
                        "0",
                        "resnet.limits.id-bytes",
                        String.valueOf(ID_BYTES)),
                new ColourClassifier(),
                registry,
                stateDir)) {
            pipeline.images.pipeInput(hostile.key(), hostile.value().apply(this));
            pipeline.images.pipeInput(
                    utf8("after"),
                    hostile.format().equals("raw") ? png() : event(ok("after").build()));
            pipeline.driver.advanceWallClockTime(Duration.ofSeconds(1));

            List<DeadLetter> dead = pipeline.deadLetters.readValuesToList();
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.getReason()).isEqualTo(hostile.reason().name());
                assertThat(d.getOffset()).isZero();
                assertThat(d.getPayload().remaining()).isLessThanOrEqualTo(100);
                assertThat(d.getKey() == null ? 0 : d.getKey().remaining()).isLessThanOrEqualTo(100);
            });
            assertThat(pipeline.predictions.readValuesToList())
                    .extracting(Prediction::getImageId)
                    .containsExactly("after");
            assertThat(pipeline.buffer().approximateNumEntries()).isZero();
        }
    }

    @Test
    void theCorpusHasThirtyKindsAndEveryIntakeReason() {
        List<Hostile> kinds = corpus().map(a -> (Hostile) a.get()[0]).toList();
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(30);
        assertThat(kinds)
                .extracting(Hostile::reason)
                .contains(
                        RejectReason.MALFORMED_EVENT,
                        RejectReason.UNKNOWN_SCHEMA,
                        RejectReason.UNSUPPORTED_SCHEMA,
                        RejectReason.TOO_LARGE,
                        RejectReason.TOO_MANY_PIXELS,
                        RejectReason.TOO_MANY_SCANS,
                        RejectReason.UNSUPPORTED_FORMAT,
                        RejectReason.UNDECODABLE,
                        RejectReason.URI_NOT_ALLOWED,
                        RejectReason.INVALID_ID);
    }

    @Test
    void aKeyThatIsNoIdDoesNotTravelAsTheDeadLettersKey() {
        try (PipelineDriver pipeline =
                new PipelineDriver(Map.of("resnet.input-format", "raw"), new ColourClassifier(), registry, stateDir)) {
            pipeline.images.pipeInput(filled(3 << 20, (byte) 0xFF), png());

            assertThat(pipeline.deadLetters.readRecordsToList()).singleElement().satisfies(r -> assertThat(r.key())
                    .isEqualTo(IMAGES + "/0/0"));
        }
    }

    @Test
    void avroCollectionsAreCappedBeforeTheFirstDecode() {
        AvroLimits.capTo(1_000_000);
        assertThat(System.getProperty("org.apache.avro.limits.collectionItems.maxLength"))
                .isEqualTo(String.valueOf(AvroLimits.MAX_COLLECTION_ITEMS));
    }

    @Test
    void aRegistryThatFailsForAWhileIsWaitedOutNotBlamedOnTheRecord() {
        FlakyRegistry flaky = new FlakyRegistry(registry);
        byte[] value = event(ok("patient").build());
        try (PipelineDriver pipeline = new PipelineDriver(
                Map.of(
                        "resnet.batch.max-images",
                        "1",
                        "resnet.batch.in-flight",
                        "0",
                        "resnet.registry.retry-for",
                        "20s"),
                new ColourClassifier(),
                flaky,
                stateDir)) {
            flaky.failures.set(4); // the next four calls answer 503
            pipeline.images.pipeInput(utf8("k"), value);

            assertThat(pipeline.deadLetters.isEmpty()).isTrue();
            assertThat(pipeline.predictions.readValuesToList())
                    .extracting(Prediction::getImageId)
                    .containsExactly("patient");
            assertThat(flaky.failures.get()).isZero();
            assertThat(pipeline.pipeline.registry().unavailableSince()).isZero(); // ready again
        }
    }

    private static Hostile raw(String name, byte[] value, RejectReason reason) {
        return new Hostile(name, "raw", utf8("hostile"), t -> value, reason);
    }

    private static Hostile avro(String name, Function<HostileInputTest, byte[]> value, RejectReason reason) {
        return new Hostile(name, "avro", utf8("hostile"), value, reason);
    }

    private byte[] event(ImageEvent event) {
        return events.serialize(IMAGES, event);
    }

    private static ImageEvent.Builder ok(String id) {
        return ImageEvent.newBuilder().setImageId(id).setData(ByteBuffer.wrap(png()));
    }

    /** An ImageEvent's fields up to its attributes map, whose first block claims 20 million entries. */
    private static byte[] hugeMapClaim(HostileInputTest t) {
        byte[] head = t.event(ImageEvent.newBuilder()
                .setImageId("m")
                .setData(ByteBuffer.wrap(new byte[0]))
                .build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(head, 0, head.length - 1); // drop the empty map's end marker
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            encoder.writeLong(20_000_000L);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] png() {
        return TestImages.png(TestImages.solid(Color.RED, 20, 20));
    }

    private static byte[] jpeg() {
        return TestImages.jpeg(TestImages.quadrants(32, 32));
    }

    private static byte[] pngWithoutIhdr() {
        byte[] png = TestImages.pngClaiming(10, 10);
        png[12] = 'X'; // the chunk type of the first chunk
        return png;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] filled(int n, byte b) {
        byte[] out = new byte[n];
        Arrays.fill(out, b);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
