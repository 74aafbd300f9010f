package io.resnetstream.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.testing.TestImages;
import io.resnetstream.tools.SampleImages;
import io.resnetstream.tools.ServiceProcess;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service on the real broker and registry: N images in, N predictions out, each id
 * exactly once, bad input to the dead-letter topic; and a SIGKILL while images are buffered.
 */
class PipelineIT {
    private static final String MODEL = System.getProperty("it.model.dir", ResnetConfig.Model.DEFAULT_DIR);
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    private final StackClients stack = new StackClients();
    private final HttpSchemaRegistry registry = StackClients.registry();
    private final Serializer<ImageEvent> events =
            new AvroSerde<>(registry, ImageEvent.class, SerdeOptions.values().registeringSchemas()).serializer();

    @Test
    void everyImageGetsExactlyOneOutcomeAndBadOnesAreDeadLettered() throws Exception {
        stack.createTopics(3);
        Map<String, String> settings = stack.serviceSettings(MODEL, tempDir("state"));
        settings.put("resnet.batch.max-images", "16");
        settings.put("resnet.batch.max-delay", "3s"); // batches form by size: 16, then the last 14
        Set<String> sent = new HashSet<>();
        try (ServiceProcess service = ServiceProcess.start(StackClients.APP, settings, log("pipeline"));
                KafkaProducer<String, byte[]> producer = stack.producer()) {
            for (int i = 0; i < 30; i++) {
                String id = stack.run + "-img-" + i;
                sent.add(id);
                // ten images per partition, so a batch of 16 must gather from several partitions
                producer.send(new ProducerRecord<>(
                        stack.images,
                        i % 3,
                        id,
                        event(id, TestImages.encode(TestImages.disc(i, 200 + 7 * i, 160), "jpg"))));
            }
            producer.send(new ProducerRecord<>(stack.images, "corrupt", event("corrupt", SampleImages.corruptJpeg(0))));
            // Confluent framing naming a schema id the registry never issued
            producer.send(new ProducerRecord<>(
                    stack.images, "unknown-schema", new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 'x'}));
            producer.flush();

            List<ConsumerRecord<String, byte[]>> out = stack.readOutputs(r -> r.size() >= 32, TIMEOUT, service);

            List<Prediction> predictions = decode(out, stack.predictions, Prediction.class);
            List<DeadLetter> dead = decode(out, stack.deadLetters, DeadLetter.class);
            assertThat(predictions)
                    .extracting(Prediction::getImageId)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(sent);
            assertThat(dead)
                    .extracting(DeadLetter::getReason)
                    .containsExactlyInAnyOrder("UNDECODABLE", "UNKNOWN_SCHEMA");
            assertThat(dead)
                    .filteredOn(d -> d.getReason().equals("UNDECODABLE"))
                    .singleElement()
                    .satisfies(d -> assertThat(d.getImageId()).isEqualTo("corrupt"));
            Prediction any = predictions.get(0);
            assertThat(any.getCropsAveraged()).isEqualTo(10);
            assertThat(any.getTopK()).isNotEmpty();
            assertThat(any.getModel().getDigest()).hasSize(64);
            assertThat(any.getSource().getTopic()).isEqualTo(stack.images);
            // Batches gather images from several partitions: a batch is bigger than any partition's share.
            int biggestBatch = predictions.stream()
                    .mapToInt(p -> p.getTimings().getBatchImages())
                    .max()
                    .orElse(0);
            Map<Integer, Long> perPartition = predictions.stream()
                    .collect(Collectors.groupingBy(p -> p.getSource().getPartition(), Collectors.counting()));
            assertThat((long) biggestBatch)
                    .isGreaterThan(perPartition.values().stream()
                            .mapToLong(x -> x)
                            .max()
                            .orElse(0));
        }
    }

    @Test
    void aServiceKilledWhileImagesAreBufferedLosesNoneAndClassifiesNoneTwice() throws Exception {
        stack.createTopics(2);
        String state = tempDir("state");
        Map<String, String> holding = stack.serviceSettings(MODEL, state);
        holding.put("resnet.batch.max-images", "1000");
        holding.put("resnet.batch.max-delay", "10m"); // nothing flushes: images stay buffered
        holding.put("resnet.batch.in-flight", "0"); // else an idle model takes the first image at once
        Set<String> sent = new HashSet<>();
        try (ServiceProcess first = ServiceProcess.start(StackClients.APP, holding, log("crash-first"));
                KafkaProducer<String, byte[]> producer = stack.producer()) {
            for (int i = 0; i < 12; i++) {
                String id = stack.run + "-img-" + i;
                sent.add(id);
                producer.send(new ProducerRecord<>(
                        stack.images, id, event(id, TestImages.encode(TestImages.disc(i, 240, 180), "jpg"))));
            }
            producer.flush();
            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (stack.committedInputs() < 12 && System.currentTimeMillis() < deadline) {
                assertThat(first.alive())
                        .as("service alive:\n%s", first.logTail())
                        .isTrue();
                Thread.sleep(250);
            }
            // Every input is committed as consumed, yet no outcome exists: the images live only in the
            // changelogged buffer store.
            assertThat(stack.committedInputs()).isEqualTo(12);
            assertThat(stack.readOutputs(r -> false, Duration.ofSeconds(2), null))
                    .isEmpty();
            first.kill();
        }

        Map<String, String> flushing = stack.serviceSettings(MODEL, state);
        flushing.put("resnet.batch.max-delay", "200ms");
        try (ServiceProcess second = ServiceProcess.start(StackClients.APP, flushing, log("crash-second"))) {
            stack.readOutputs(r -> r.size() >= 12, TIMEOUT, second);
            Thread.sleep(3000); // room for any duplicate to show up
            List<ConsumerRecord<String, byte[]>> out = stack.readOutputs(r -> false, Duration.ofSeconds(5), second);
            List<Prediction> predictions = decode(out, stack.predictions, Prediction.class);
            assertThat(predictions)
                    .extracting(Prediction::getImageId)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(sent);
            assertThat(decode(out, stack.deadLetters, DeadLetter.class)).isEmpty();
        }
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<T> decode(
            List<ConsumerRecord<String, byte[]>> out, String topic, Class<T> type) {
        var deserializer = new AvroSerde<>(registry, type, SerdeOptions.values()).deserializer();
        return out.stream()
                .filter(r -> r.topic().equals(topic))
                .map(r -> deserializer.deserialize(topic, r.value()))
                .toList();
    }

    private byte[] event(String id, byte[] image) {
        return events.serialize(
                stack.images,
                ImageEvent.newBuilder()
                        .setImageId(id)
                        .setData(ByteBuffer.wrap(image))
                        .setContentType("image/jpeg")
                        .setSource("PipelineIT")
                        .setEventTime(Instant.now())
                        .build());
    }

    private String tempDir(String what) throws IOException {
        return Files.createTempDirectory("resnet-stream-" + stack.run + "-" + what)
                .toString();
    }

    private Path log(String name) {
        return Path.of("target", "it-logs", stack.run + "-" + name + ".log");
    }
}
