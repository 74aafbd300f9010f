package io.resnetstream.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.testing.LocalStack;
import io.resnetstream.testing.PredictionVersions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The consumer examples of docs/consumers.md on the real broker and registry. Outcomes are written as the service
 * writes them (in transactions, our serde, the image id as key, a traceparent header), plus a {@code Prediction} of a
 * later, compatible schema version and a transaction that aborts. The Java example ({@link OutcomeConsumer}, compiled
 * against today's schema) and the Python one ({@code docs/examples/consume_outcomes.py}, Confluent's client; skipped
 * where Debian's python3-confluent-kafka is not installed) must each read exactly the committed outcomes.
 */
class ConsumerExamplesIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path PYTHON_EXAMPLE = Path.of("docs", "examples", "consume_outcomes.py");
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static final String RUN = LocalStack.unique("consumers");
    private static final String PREDICTIONS = RUN + "-predictions";
    private static final String DEAD_LETTERS = RUN + "-dlq";
    private static final Map<String, Prediction> COMMITTED_PREDICTIONS = new HashMap<>();

    @BeforeAll
    static void writeOutcomesAsTheServiceDoes() throws Exception {
        Properties admin = new Properties();
        admin.put("bootstrap.servers", LocalStack.BOOTSTRAP);
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic(PREDICTIONS, 2, (short) 1), new NewTopic(DEAD_LETTERS, 1, (short) 1)))
                    .all()
                    .get();
        }
        HttpSchemaRegistry registry = LocalStack.newRegistryClient();
        var predictions = new AvroSerde<>(
                        registry, Prediction.class, SerdeOptions.values().registeringSchemas())
                .serializer();
        var deadLetters = new AvroSerde<>(
                        registry, DeadLetter.class, SerdeOptions.values().registeringSchemas())
                .serializer();
        Properties p = new Properties();
        p.put("bootstrap.servers", LocalStack.BOOTSTRAP);
        p.put("transactional.id", RUN + "-" + UUID.randomUUID());
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                Prediction prediction = PredictionVersions.sample("img-" + i);
                COMMITTED_PREDICTIONS.put(prediction.getImageId(), prediction);
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                        PREDICTIONS, prediction.getImageId(), predictions.serialize(PREDICTIONS, prediction));
                if (i == 0) {
                    record.headers().add("traceparent", TRACEPARENT.getBytes(StandardCharsets.US_ASCII));
                }
                producer.send(record);
            }
            Prediction later = PredictionVersions.sample("img-v2");
            COMMITTED_PREDICTIONS.put(later.getImageId(), later);
            producer.send(new ProducerRecord<>(
                    PREDICTIONS,
                    later.getImageId(),
                    PredictionVersions.writeV2(registry, PREDICTIONS, later, "canary")));
            producer.send(
                    new ProducerRecord<>(DEAD_LETTERS, "bad-0", deadLetters.serialize(DEAD_LETTERS, deadLetter())));
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(
                    PREDICTIONS,
                    "img-aborted",
                    predictions.serialize(PREDICTIONS, PredictionVersions.sample("img-aborted"))));
            producer.flush();
            producer.abortTransaction(); // as when the service crashes mid-transaction: no consumer may see it
        }
    }

    @Test
    void theJavaExampleReadsEveryCommittedOutcomeAndNothingElse() {
        List<OutcomeConsumer.Outcome> read = new ArrayList<>();
        try (OutcomeConsumer consumer = new OutcomeConsumer(
                LocalStack.BOOTSTRAP, LocalStack.REGISTRY_URL, PREDICTIONS, DEAD_LETTERS, RUN + "-java")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read.size() < 5 && System.nanoTime() < deadline) {
                read.addAll(consumer.poll(Duration.ofMillis(500)));
            }
            read.addAll(consumer.poll(Duration.ofSeconds(2))); // anything more would be a record it should not see
        }
        assertThat(read)
                .extracting(OutcomeConsumer.Outcome::key)
                .containsExactlyInAnyOrder("img-0", "img-1", "img-2", "img-v2", "bad-0");
        assertThat(read).filteredOn(o -> o.prediction() != null).allSatisfy(o -> assertThat(o.prediction())
                .isEqualTo(COMMITTED_PREDICTIONS.get(o.key()))); // the v2 record too, read as today's Prediction
        assertThat(read)
                .filteredOn(o -> o.key().equals("img-0"))
                .singleElement()
                .satisfies(o -> assertThat(o.traceparent()).isEqualTo(TRACEPARENT));
        assertThat(read).filteredOn(o -> o.deadLetter() != null).singleElement().satisfies(o -> {
            assertThat(o.deadLetter().getReason()).isEqualTo("UNDECODABLE");
            assertThat(o.line()).isEqualTo("bad-0 DEAD LETTER UNDECODABLE: jpeg: header truncated");
        });
        assertThat(read)
                .filteredOn(o -> o.key().equals("img-1"))
                .singleElement()
                .satisfies(o -> assertThat(o.line()).isEqualTo("img-1 golden retriever p=0.813 model=resnet50@2"));
    }

    @Test
    void thePythonExampleReadsEveryCommittedOutcomeAndNothingElse() throws Exception {
        assumeThat(Files.isExecutable(PYTHON)).as("%s exists", PYTHON).isTrue();
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import confluent_kafka.avro")
                .redirectErrorStream(true)
                .start();
        assumeThat(probe.waitFor())
                .as("python3-confluent-kafka and python3-avro are installed")
                .isZero();

        List<JsonNode> read = runPython(List.of(
                "--bootstrap",
                LocalStack.BOOTSTRAP,
                "--registry",
                LocalStack.REGISTRY_URL,
                "--predictions",
                PREDICTIONS,
                "--dead-letters",
                DEAD_LETTERS,
                "--group",
                RUN + "-python",
                "--idle",
                "8"));

        assertThat(read)
                .extracting(j -> j.get("key").asText())
                .containsExactlyInAnyOrder("img-0", "img-1", "img-2", "img-v2", "bad-0");
        assertThat(read)
                .filteredOn(j -> j.get("kind").asText().equals("prediction"))
                .allSatisfy(j -> {
                    Prediction expected = COMMITTED_PREDICTIONS.get(j.get("key").asText());
                    assertThat(j.at("/value/imageId").asText()).isEqualTo(expected.getImageId());
                    assertThat(j.at("/value/model/version").asText())
                            .isEqualTo(expected.getModel().getVersion());
                    assertThat(j.at("/value/topK/0/label").asText())
                            .isEqualTo(expected.getTopK().get(0).getLabel());
                });
        // Python decodes with the writer's schema: the v2 record shows its new field
        assertThat(read)
                .filteredOn(j -> j.get("key").asText().equals("img-v2"))
                .singleElement()
                .satisfies(j -> assertThat(
                                j.at("/value/" + PredictionVersions.NEW_FIELD).asText())
                        .isEqualTo("canary"));
        assertThat(read)
                .filteredOn(j -> j.get("key").asText().equals("img-0"))
                .singleElement()
                .satisfies(j -> assertThat(j.get("traceparent").asText()).isEqualTo(TRACEPARENT));
        assertThat(read)
                .filteredOn(j -> j.get("kind").asText().equals("dead_letter"))
                .singleElement()
                .satisfies(j -> assertThat(j.at("/value/reason").asText()).isEqualTo("UNDECODABLE"));
    }

    private static List<JsonNode> runPython(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), PYTHON_EXAMPLE.toString()));
        cmd.addAll(args);
        Path out = Files.createTempFile("consume-outcomes", ".jsonl");
        Process process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the example ends").isTrue();
        String output = Files.readString(out);
        assertThat(process.exitValue()).as(output).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }

    private static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setTopic(RUN + "-images")
                .setPartition(0)
                .setOffset(17)
                .setKey(ByteBuffer.wrap("bad-0".getBytes(StandardCharsets.UTF_8)))
                .setImageId("bad-0")
                .setReason("UNDECODABLE")
                .setMessage("jpeg: header truncated")
                .setPayload(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8}))
                .setPayloadSize(2)
                .setFailedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }
}
