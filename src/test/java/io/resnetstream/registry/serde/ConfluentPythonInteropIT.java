package io.resnetstream.registry.serde;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.testing.LocalStack;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Confluent's own Python client agrees with our bytes, both ways, through the same registry. Runs
 * {@code registry/confluent_interop.py} with Debian's python3; skipped where it lacks confluent_kafka.
 */
class ConfluentPythonInteropIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path IMAGE_EVENT_SCHEMA = Path.of("schemas", "ImageEvent.avsc");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path script;

    @BeforeAll
    static void requireConfluentsPythonClient() throws IOException, InterruptedException, URISyntaxException {
        assumeThat(Files.isExecutable(PYTHON)).as("%s exists", PYTHON).isTrue();
        assumeThat(run(List.of(PYTHON.toString(), "-c", "import confluent_kafka.avro"), "")
                        .exitCode())
                .as("%s can import confluent_kafka.avro (Debian: python3-confluent-kafka, python3-avro)", PYTHON)
                .isZero();
        script = Path.of(ConfluentPythonInteropIT.class
                .getResource("/registry/confluent_interop.py")
                .toURI());
    }

    @Test
    void ourDeserializerReadsAnImageEventEncodedByConfluentsClient() throws IOException, InterruptedException {
        String topic = LocalStack.unique("images");
        ImageEvent event = Samples.imageEvent();
        assertThat(IMAGE_EVENT_SCHEMA).as("run from the project root").exists();

        String hex =
                python(imageEventJson(event), "encode", LocalStack.REGISTRY_URL, topic, IMAGE_EVENT_SCHEMA.toString());

        byte[] value = HexFormat.of().parseHex(hex.strip());
        assertThat(value[0]).isZero();
        ImageEvent read =
                new AvroDeserializer<>(LocalStack.newRegistryClient(), ImageEvent.class).deserialize(topic, value);
        assertThat(read).isEqualTo(event);
    }

    @Test
    void confluentsClientDecodesAPredictionWeSerialized() throws IOException, InterruptedException {
        String topic = LocalStack.unique("predictions");
        Prediction prediction = Samples.prediction();
        byte[] value = new AvroSerde<>(
                        LocalStack.newRegistryClient(),
                        Prediction.class,
                        SerdeOptions.values().registeringSchemas())
                .serializer()
                .serialize(topic, prediction);

        JsonNode decoded = JSON.readTree(python(HexFormat.of().formatHex(value), "decode", LocalStack.REGISTRY_URL));

        assertThat(decoded.get("imageId").asText()).isEqualTo(prediction.getImageId());
        assertThat(decoded.at("/model/name").asText())
                .isEqualTo(prediction.getModel().getName());
        assertThat(decoded.at("/model/version").asText())
                .isEqualTo(prediction.getModel().getVersion());
        assertThat(decoded.at("/model/digest").asText())
                .isEqualTo(prediction.getModel().getDigest());
        assertThat(decoded.get("topK")).hasSize(prediction.getTopK().size());
        for (int i = 0; i < prediction.getTopK().size(); i++) {
            JsonNode score = decoded.get("topK").get(i);
            assertThat(score.get("index").asInt())
                    .isEqualTo(prediction.getTopK().get(i).getIndex());
            assertThat(score.get("label").asText())
                    .isEqualTo(prediction.getTopK().get(i).getLabel());
            // a float read into a Python double is exact, so it narrows back without loss
            assertThat((float) score.get("probability").asDouble())
                    .isEqualTo(prediction.getTopK().get(i).getProbability());
        }
        assertThat(decoded.get("cropScheme").asText()).isEqualTo(prediction.getCropScheme());
        assertThat(decoded.get("cropsAveraged").asInt()).isEqualTo(prediction.getCropsAveraged());
        assertThat(decoded.get("topCropVotes").asInt()).isEqualTo(prediction.getTopCropVotes());
        assertThat(decoded.at("/timings/queuedMs").asLong())
                .isEqualTo(prediction.getTimings().getQueuedMs());
        assertThat(decoded.at("/timings/batchInferenceMs").asLong())
                .isEqualTo(prediction.getTimings().getBatchInferenceMs());
        assertThat(decoded.at("/timings/batchImages").asInt())
                .isEqualTo(prediction.getTimings().getBatchImages());
        assertThat(decoded.at("/source/topic").asText())
                .isEqualTo(prediction.getSource().getTopic());
        assertThat(decoded.at("/source/partition").asInt())
                .isEqualTo(prediction.getSource().getPartition());
        assertThat(decoded.at("/source/offset").asLong())
                .isEqualTo(prediction.getSource().getOffset());
        assertThat(decoded.get("eventTime").asLong())
                .isEqualTo(prediction.getEventTime().toEpochMilli());
        assertThat(decoded.get("predictedAt").asLong())
                .isEqualTo(prediction.getPredictedAt().toEpochMilli());
    }

    /** The script's JSON conventions: bytes as code points 0-255, timestamps as epoch millis. */
    private static String imageEventJson(ImageEvent event) {
        ByteBuffer data = event.getData().duplicate();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        ObjectNode json = JSON.createObjectNode()
                .put("imageId", event.getImageId())
                .put("data", new String(bytes, ISO_8859_1))
                .put("uri", event.getUri())
                .put("contentType", event.getContentType())
                .put("source", event.getSource())
                .put("eventTime", event.getEventTime().toEpochMilli());
        json.set("attributes", JSON.valueToTree(event.getAttributes()));
        return json.toString();
    }

    private static String python(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        command.addAll(List.of(args));
        Result result = run(command, stdin);
        assertThat(result.exitCode())
                .as("%s failed: %s", command, result.stderr())
                .isZero();
        return result.stdout();
    }

    private record Result(int exitCode, String stdout, String stderr) {}

    /** Through files, not inheritIO: a child writing to the test JVM's streams corrupts failsafe's channel. */
    private static Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        Path in = Files.createTempFile(dir, "stdin", ".txt");
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Files.writeString(in, stdin, UTF_8);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("PYTHONIOENCODING", "utf-8");
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within 60 s");
        }
        return new Result(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    }
}
