package io.resnetstream.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.testing.TestImages;
import io.resnetstream.tools.ServiceProcess;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Memory you can plan: the packaged service under a small heap takes a burst of images at the size limit, and
 * the byte budget (resnet.batch.max-bytes) keeps what it holds inside the heap: no OutOfMemoryError, one outcome
 * each.
 */
class MemoryIT {
    private static final int IMAGES = 24;
    private static final String HEAP = "-Xmx160m";
    private static final String MODEL = System.getProperty("it.model.dir", ResnetConfig.Model.DEFAULT_DIR);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final StackClients stack = new StackClients();

    @Test
    void aSmallHeapTakesABurstOfMaximumSizeImages() throws Exception {
        stack.createTopics(3);
        byte[][] images = new byte[IMAGES][];
        int largest = 0;
        for (int i = 0; i < IMAGES; i++) {
            images[i] = TestImages.encode(TestImages.noise(1100, 800, i), "jpg");
            largest = Math.max(largest, images[i].length);
        }
        Map<String, String> settings = stack.serviceSettings(MODEL, tempDir());
        settings.put("resnet.input-format", "raw");
        settings.put("resnet.limits.image-bytes", String.valueOf(largest)); // each image is at most the limit
        settings.put("resnet.batch.max-images", "16");
        settings.put("resnet.batch.max-bytes", String.valueOf(4L * largest));
        settings.put("resnet.batch.max-delay", "200ms");
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<String, byte[]> producer = stack.producer()) {
            for (int i = 0; i < IMAGES; i++) {
                String id = stack.run + "-big-" + i;
                sent.add(id);
                producer.send(new ProducerRecord<>(stack.images, id, images[i]));
            }
            producer.flush();
        }
        Path log = Path.of("target", "it-logs", "memory-" + stack.run + ".log");
        try (ServiceProcess service =
                ServiceProcess.start(StackClients.APP, List.of(HEAP, "-XX:+ExitOnOutOfMemoryError"), settings, log)) {
            List<ConsumerRecord<String, byte[]>> out = stack.readOutputs(r -> r.size() >= IMAGES, TIMEOUT, service);
            assertThat(out)
                    .extracting(ConsumerRecord::key)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(sent);
            assertThat(out).allSatisfy(r -> assertThat(r.topic()).isEqualTo(stack.predictions));
            var predictions =
                    new AvroSerde<>(StackClients.registry(), Prediction.class, SerdeOptions.values()).deserializer();
            assertThat(out).allSatisfy(r -> assertThat(predictions
                            .deserialize(r.topic(), r.value())
                            .getTimings()
                            .getBatchImages())
                    .as("the byte budget cuts batches at 4 images")
                    .isLessThanOrEqualTo(4));
            assertThat(service.alive()).isTrue();
            // the peak resident set of the service under its 160 MB heap, for the record
            String peak = Files.readAllLines(Path.of("/proc", String.valueOf(service.pid()), "status")).stream()
                    .filter(line -> line.startsWith("VmHWM"))
                    .findFirst()
                    .orElse("VmHWM: unknown");
            System.out.printf(
                    "MemoryIT: %d images of up to %d bytes, heap %s, peak RSS %s%n",
                    IMAGES, largest, HEAP, peak.replaceAll("\\s+", " "));
        }
        assertThat(Files.readString(log)).doesNotContain("java.lang.OutOfMemoryError");
    }

    private String tempDir() throws java.io.IOException {
        return Files.createTempDirectory("resnet-stream-" + stack.run + "-state")
                .toString();
    }
}
