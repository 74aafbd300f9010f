package io.resnetstream.examples;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.serde.AvroDeserializer;

/**
 * A downstream consumer of resnet-stream's outcomes, as docs/consumers.md describes it: it reads the predictions and
 * the dead-letter topics with {@code isolation.level=read_committed} (only what the service's transactions
 * committed), decodes values with the registry and the schemas it was compiled with (Avro resolves any newer
 * compatible writer schema into them), and tells a prediction from a dead letter by topic. Kept small on purpose;
 * {@code ConsumerExamplesIT} runs it against a real broker and registry.
 *
 * <pre>
 * java ... io.resnetstream.examples.OutcomeConsumer 127.0.0.1:9092 http://127.0.0.1:8081/apis/ccompat/v7 \
 *     predictions images-dlq my-team-group
 * </pre>
 */
public final class OutcomeConsumer implements AutoCloseable {
    /** One committed outcome. Exactly one of {@code prediction} and {@code deadLetter} is set. */
    public record Outcome(String key, Prediction prediction, DeadLetter deadLetter, String traceparent) {
        public String line() {
            if (prediction != null) {
                var top = prediction.getTopK().get(0);
                return String.format(
                        "%s %s p=%.3f model=%s@%s",
                        key,
                        top.getLabel(),
                        top.getProbability(),
                        prediction.getModel().getName(),
                        prediction.getModel().getVersion());
            }
            return key + " DEAD LETTER " + deadLetter.getReason() + ": " + deadLetter.getMessage();
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<Prediction> predictions;
    private final AvroDeserializer<DeadLetter> deadLetters;
    private final String predictionsTopic;

    public OutcomeConsumer(
            String bootstrap, String registryUrl, String predictionsTopic, String deadLettersTopic, String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        // only records of committed transactions: never an outcome that a crash of the service rolled back
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        HttpSchemaRegistry registry =
                new HttpSchemaRegistry(RegistrySettings.builder(registryUrl).build());
        this.predictions = new AvroDeserializer<>(registry, Prediction.class);
        this.deadLetters = new AvroDeserializer<>(registry, DeadLetter.class);
        this.predictionsTopic = predictionsTopic;
        consumer.subscribe(List.of(predictionsTopic, deadLettersTopic));
    }

    /** The outcomes of one poll, in each partition's order. */
    public List<Outcome> poll(Duration timeout) {
        List<Outcome> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            Header trace = r.headers().lastHeader("traceparent");
            String traceparent = trace == null ? null : new String(trace.value(), StandardCharsets.US_ASCII);
            if (r.topic().equals(predictionsTopic)) {
                out.add(new Outcome(r.key(), predictions.deserialize(r.topic(), r.value()), null, traceparent));
            } else {
                out.add(new Outcome(r.key(), null, deadLetters.deserialize(r.topic(), r.value()), traceparent));
            }
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close();
    }

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: OutcomeConsumer BOOTSTRAP REGISTRY_URL PREDICTIONS_TOPIC DLQ_TOPIC GROUP_ID");
            System.exit(2);
        }
        try (OutcomeConsumer outcomes = new OutcomeConsumer(args[0], args[1], args[2], args[3], args[4])) {
            while (true) {
                outcomes.poll(Duration.ofSeconds(1)).forEach(o -> System.out.println(o.line()));
            }
        }
    }
}
