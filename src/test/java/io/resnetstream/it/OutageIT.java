package io.resnetstream.it;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.registry.serde.TopicNameStrategy;
import io.resnetstream.registry.serde.WireFormat;
import io.resnetstream.testing.LocalStack;
import io.resnetstream.testing.TestImages;
import io.resnetstream.tools.Chaos;
import io.resnetstream.tools.ChaosReport;
import io.resnetstream.tools.ServiceProcess;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stack failing under a working service: the broker restarted, the registry gone for a minute. Both run on a
 * broker and registry of this class's own ({@link PrivateStack}), so that stopping them never disturbs the shared
 * stack that other tests, in this build or another, are using.
 */
class OutageIT {
    private static final String MODEL = System.getProperty("it.model.dir", ResnetConfig.Model.DEFAULT_DIR);
    private static final Duration REGISTRY_OUTAGE = Duration.ofSeconds(60);

    private static PrivateStack stack;

    @BeforeAll
    static void startPrivateStack() throws Exception {
        stack = PrivateStack.start(Path.of("target", "it-logs", "outage-stack.log"));
    }

    @AfterAll
    static void stopPrivateStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aBrokerRestartedMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
        long seed = Long.getLong("it.chaos.seed", ThreadLocalRandom.current().nextLong(1_000_000));
        // no kills: one broker restart 1-3 s after the first outcome, while images still arrive (10/s for 30 s)
        Chaos.Plan plan = new Chaos.Plan(
                300, 0, Duration.ofSeconds(1), Duration.ofSeconds(3), Chaos.GapFrom.FIRST_OUTCOME, true, seed, 10);
        Chaos.Setup setup = new Chaos.Setup(
                stack.bootstrap(),
                stack.registry(),
                StackClients.APP,
                Path.of(MODEL).toAbsolutePath(),
                Path.of("target", "it-outage").toAbsolutePath(),
                Map.of(),
                stack::restartKafka,
                Duration.ofMinutes(2));

        ChaosReport report = new Chaos(plan, setup).execute();
        report.print(new PrintWriter(System.out, true));

        assertThat(report.brokerRestart()).as("the broker was restarted").isPresent();
        assertThat(report.events())
                .as("the service never exited: it recovered by itself")
                .noneMatch(e -> e.kind() == ChaosReport.Kind.EXIT);
        assertThat(report.brokerRestart().get().toFirstOutcome())
                .as("outcomes again after the broker is back")
                .isNotNull()
                .isLessThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(report.sendFailures()).isZero();
        assertThat(report.drained()).isTrue();
        assertThat(report.tally().missing()).as("ids without an outcome").isEmpty();
        assertThat(report.tally().duplicates())
                .as("ids with more than one outcome")
                .isEmpty();
        assertThat(report.tally().unexpected()).isEmpty();
        assertThat(report.sigtermToExit()).isLessThanOrEqualTo(ChaosIT.SIGTERM_BOUND);
    }

    @Test
    void aRegistryGoneForAMinuteHoldsImagesBackWithoutDeadLettersAndTheServiceStaysUp() throws Exception {
        StackClients clients = new StackClients(stack.bootstrap(), stack.registry());
        clients.createTopics(2);
        HttpSchemaRegistry registry = LocalStack.registryClient(stack.registry());
        Serializer<ImageEvent> events = new AvroSerde<>(
                        registry, ImageEvent.class, SerdeOptions.values().registeringSchemas())
                .serializer();
        int httpPort = freePort();
        Map<String, String> settings = clients.serviceSettings(
                MODEL,
                Files.createTempDirectory("resnet-stream-" + clients.run + "-state")
                        .toString());
        settings.put("resnet.input-format", "avro");
        settings.put("quarkus.http.host", "127.0.0.1");
        settings.put("quarkus.http.port", String.valueOf(httpPort));
        List<String> ids = new ArrayList<>();
        Path log = Path.of("target", "it-logs", clients.run + "-registry-outage.log");
        try (ServiceProcess service = ServiceProcess.start(StackClients.APP, settings, log);
                KafkaProducer<String, byte[]> producer = clients.producer()) {
            // Before: the service has read the writer schema and registered its outputs' schemas.
            for (int i = 0; i < 20; i++) {
                String id = clients.run + "-before-" + i;
                ids.add(send(producer, clients.images, id, events.serialize(clients.images, event(id, i))));
            }
            assertThat(clients.readOutputs(r -> r.size() >= 20, Duration.ofMinutes(3), service))
                    .hasSize(20);
            awaitReadiness(httpPort, 200, Duration.ofSeconds(60), service);

            // During: events by a newer producer (one more optional field), a schema id the service has not seen,
            // so it must ask the registry. Framed now, while the registry answers.
            int newerSchema = registry.register(TopicNameStrategy.subject(clients.images, false), newerImageEvent());
            Map<String, byte[]> during = new LinkedHashMap<>();
            for (int i = 0; i < 40; i++) {
                String id = clients.run + "-during-" + i;
                during.put(id, asNewerProducer(events.serialize(clients.images, event(id, 20 + i)), newerSchema));
            }
            stack.stopRegistry();
            long stopped = System.nanoTime();
            try {
                during.forEach((id, value) -> ids.add(send(producer, clients.images, id, value)));
                producer.flush();
                Duration down = awaitReadiness(httpPort, 503, Duration.ofSeconds(30), service);
                System.out.printf("registry stopped: readiness DOWN after %.1f s%n", down.toMillis() / 1000.0);
                while (System.nanoTime() - stopped < REGISTRY_OUTAGE.toNanos()) {
                    assertThat(service.alive())
                            .as("the service stays up:\n%s", service.logTail())
                            .isTrue();
                    assertThat(readiness(httpPort))
                            .as("readiness while the registry is gone")
                            .isEqualTo(503);
                    Thread.sleep(2000);
                }
                assertThat(clients.readOutputs(r -> false, Duration.ofSeconds(1), service))
                        .as("nothing about the newer events without their schema")
                        .hasSize(20);
            } finally {
                stack.startRegistry(); // always: the class's other test and the private stack's close need it
            }
            long back = System.nanoTime();

            List<ConsumerRecord<String, byte[]>> out =
                    clients.readOutputs(r -> r.size() >= 60, Duration.ofMinutes(3), service);
            System.out.printf("registry back: all 60 outcomes %.1f s later%n", (System.nanoTime() - back) / 1e9);
            Thread.sleep(3000); // room for a duplicate to show up
            out = clients.readOutputs(r -> false, Duration.ofSeconds(5), service);
            assertThat(out)
                    .filteredOn(r -> r.topic().equals(clients.deadLetters))
                    .as("dead letters")
                    .isEmpty();
            assertThat(out)
                    .extracting(ConsumerRecord::key)
                    .as("one prediction per image")
                    .containsExactlyInAnyOrderElementsOf(ids);
            awaitReadiness(httpPort, 200, Duration.ofSeconds(30), service);
        }
    }

    /** Sends an event keyed by its image id (the key the outcome gets); returns the id. */
    private static String send(KafkaProducer<String, byte[]> producer, String topic, String id, byte[] value) {
        producer.send(new ProducerRecord<>(topic, id, value));
        return id;
    }

    private static ImageEvent event(String id, int seed) {
        return ImageEvent.newBuilder()
                .setImageId(id)
                .setData(ByteBuffer.wrap(TestImages.encode(TestImages.disc(seed, 160, 120), "jpg")))
                .setContentType("image/jpeg")
                .setSource("OutageIT")
                .setEventTime(Instant.now())
                .build();
    }

    /** ImageEvent as a newer producer writes it: one more optional field, at the end. */
    private static Schema newerImageEvent() {
        Schema v1 = ImageEvent.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        v1.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(new Schema.Field(
                "relay",
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                "added by a newer producer",
                Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields);
    }

    /**
     * Avro's binary encoding of a record is its fields in order, so the newer record is the older one followed by
     * its last field: a union whose branch 0 (null) is the single byte 0.
     */
    private static byte[] asNewerProducer(byte[] framedV1, int newerSchemaId) {
        byte[] payload = WireFormat.parse(framedV1).payload();
        return WireFormat.encode(newerSchemaId, Arrays.copyOf(payload, payload.length + 1));
    }

    /** Waits until {@code /q/health/ready} answers {@code status}; returns how long that took. */
    private static Duration awaitReadiness(int port, int status, Duration timeout, ServiceProcess service)
            throws Exception {
        long start = System.nanoTime();
        while (readiness(port) != status) {
            assertThat(service.alive())
                    .as("the service stays up:\n%s", service.logTail())
                    .isTrue();
            assertThat(System.nanoTime() - start)
                    .as("readiness %d within %s", status, timeout)
                    .isLessThan(timeout.toNanos());
            Thread.sleep(250);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** The HTTP status of {@code /q/health/ready} (200 up, 503 down), or 0 while nothing listens. */
    private static int readiness(int port) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            return HttpClient.newHttpClient()
                    .send(request, HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (ConnectException e) {
            return 0;
        } catch (IOException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
