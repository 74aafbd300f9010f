package io.resnetstream.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.testing.TestImages;
import io.resnetstream.tools.ResnetStreamCli;
import io.resnetstream.tools.ServiceProcess;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new model deployed into a running service by re-pointing its model link, with a shadow candidate beside it:
 * the real service, the real engine, the shared broker and registry. Every image one prediction, each naming the
 * model version that made it; the shadow topic holds the candidate's view of every image; {@code compare} reads both.
 */
class ModelUpgradeIT {
    private static final String MODEL = System.getProperty("it.model.dir", ResnetConfig.Model.DEFAULT_DIR);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final StackClients stack = new StackClients();
    private final HttpSchemaRegistry registry = StackClients.registry();
    private final Serializer<ImageEvent> events =
            new AvroSerde<>(registry, ImageEvent.class, SerdeOptions.values().registeringSchemas()).serializer();
    private final String shadowTopic = stack.run + "-shadow";

    @Test
    void aModelDeployedWhileRunningTakesOverWithoutLossOrDuplicateAndTheShadowSeesEveryImage() throws Exception {
        stack.createTopics(2);
        try (Admin admin = Admin.create(stack.props())) {
            admin.createTopics(List.of(new NewTopic(shadowTopic, 1, (short) 1)))
                    .all()
                    .get();
        }
        Path models = Files.createTempDirectory("resnet-stream-" + stack.run + "-models");
        Path current = models.resolve("current");
        point(current, copy(models, "v1", "1"));
        Path candidate = copy(models, "candidate", "2-candidate");

        Map<String, String> settings = stack.serviceSettings(current.toString(), tempDir("state"));
        settings.put("resnet.model.watch-interval", "500ms");
        settings.put("resnet.shadow.model-dir", candidate.toString());
        settings.put("resnet.topics.shadow-predictions", shadowTopic);
        settings.put("resnet.batch.max-delay", "200ms");
        Path log = Path.of("target", "it-logs", stack.run + "-model-upgrade.log");
        try (ServiceProcess service = ServiceProcess.start(StackClients.APP, settings, log);
                KafkaProducer<String, byte[]> producer = stack.producer()) {
            send(producer, 0, 20);
            stack.readOutputs(r -> r.size() >= 20, TIMEOUT, service);

            point(current, copy(models, "v2", "2"));
            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (!Files.readString(log).contains("model switched") && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            assertThat(Files.readString(log)).contains("model switched");
            send(producer, 20, 40);

            List<Prediction> main = decode(stack.readOutputs(r -> r.size() >= 40, TIMEOUT, service), stack.predictions);
            List<Prediction> shadow =
                    decode(stack.read(List.of(shadowTopic), r -> r.size() >= 40, TIMEOUT, service), shadowTopic);

            assertThat(main)
                    .extracting(Prediction::getImageId)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(ids(0, 40));
            assertThat(main)
                    .filteredOn(p -> p.getImageId().compareTo(id(20)) < 0)
                    .allSatisfy(p -> assertThat(p.getModel().getVersion()).isEqualTo("1"));
            assertThat(main)
                    .filteredOn(p -> p.getImageId().compareTo(id(20)) >= 0)
                    .allSatisfy(p -> assertThat(p.getModel().getVersion()).isEqualTo("2"));
            assertThat(shadow)
                    .extracting(Prediction::getImageId)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(ids(0, 40));
            assertThat(shadow)
                    .allSatisfy(p -> assertThat(p.getModel().getVersion()).isEqualTo("2-candidate"));

            // the candidate has the same weights: compare finds them agreeing on every image
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            PrintStream out = System.out;
            int status;
            try {
                System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
                status = new CommandLine(new ResnetStreamCli())
                        .execute(
                                "compare",
                                "--bootstrap",
                                stack.bootstrap,
                                "--registry",
                                stack.registryUrl,
                                "--main-topic",
                                stack.predictions,
                                "--candidate-topic",
                                shadowTopic,
                                "--min-agreement",
                                "1.0");
            } finally {
                System.setOut(out);
            }
            String report = printed.toString(StandardCharsets.UTF_8);
            System.out.println(report);
            assertThat(status).isZero();
            assertThat(report).contains("40 image(s) compared", "top-1 agreement: 100.00% (40/40)");
        }
    }

    private Path copy(Path models, String name, String version) throws IOException {
        Path dir = Files.createDirectories(models.resolve(name));
        try (var files = Files.list(Path.of(MODEL))) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(
                manifest,
                Files.readString(manifest)
                        .replaceFirst("\"version\"\\s*:\\s*\"[^\"]*\"", "\"version\" : \"" + version + "\""));
        return dir;
    }

    /** Re-points the link the way a deployment should: a new link renamed over the old one, atomically. */
    private static void point(Path link, Path target) throws IOException {
        Path next = link.resolveSibling(link.getFileName() + ".next");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, target);
        Files.move(next, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void send(KafkaProducer<String, byte[]> producer, int from, int to) {
        for (int i = from; i < to; i++) {
            String id = id(i);
            producer.send(new ProducerRecord<>(
                    stack.images,
                    id,
                    events.serialize(
                            stack.images,
                            ImageEvent.newBuilder()
                                    .setImageId(id)
                                    .setData(ByteBuffer.wrap(TestImages.encode(TestImages.disc(i, 120, 96), "jpg")))
                                    .setContentType("image/jpeg")
                                    .setSource("ModelUpgradeIT")
                                    .setEventTime(Instant.now())
                                    .build())));
        }
        producer.flush();
    }

    private String id(int i) {
        return String.format("%s-img-%03d", stack.run, i);
    }

    private List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(this::id).toList();
    }

    private List<Prediction> decode(List<ConsumerRecord<String, byte[]>> out, String topic) {
        var deserializer = new AvroSerde<>(registry, Prediction.class, SerdeOptions.values()).deserializer();
        return out.stream()
                .filter(r -> r.topic().equals(topic))
                .map(r -> deserializer.deserialize(topic, r.value()))
                .toList();
    }

    private String tempDir(String what) throws IOException {
        return Files.createTempDirectory("resnet-stream-" + stack.run + "-" + what)
                .toString();
    }
}
