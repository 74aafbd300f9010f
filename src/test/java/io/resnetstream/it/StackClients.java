package io.resnetstream.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.testing.LocalStack;
import io.resnetstream.tools.ServiceProcess;

/** Clients of the real local stack (deploy/stack.sh) for integration tests, on fresh topics per test. */
final class StackClients {
    /** The packaged service that the ITs start as a child process. */
    static final Path APP = Path.of(System.getProperty("it.app.dir", ServiceProcess.DEFAULT_APP.toString()));

    final String run = "it-" + UUID.randomUUID().toString().substring(0, 8);
    final String images = run + "-images";
    final String predictions = run + "-predictions";
    final String deadLetters = run + "-dlq";
    final String bootstrap;
    final String registryUrl;
    private final Properties security;

    /** Clients of the shared stack. */
    StackClients() {
        this(LocalStack.BOOTSTRAP, LocalStack.REGISTRY_URL);
    }

    /** Clients of another stack (a test's private one, see {@link PrivateStack}). */
    StackClients(String bootstrap, String registryUrl) {
        this(bootstrap, registryUrl, new Properties());
    }

    /** Clients of a stack that wants these settings too (security.protocol, sasl.*, ssl.*). */
    StackClients(String bootstrap, String registryUrl, Properties security) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.security = security;
    }

    Properties props() {
        Properties p = new Properties();
        p.putAll(security);
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /** A client of the shared stack's registry. */
    static HttpSchemaRegistry registry() {
        return LocalStack.newRegistryClient();
    }

    void createTopics(int imagePartitions) throws Exception {
        try (Admin admin = Admin.create(props())) {
            admin.createTopics(List.of(
                            new NewTopic(images, imagePartitions, (short) 1),
                            new NewTopic(predictions, 2, (short) 1),
                            new NewTopic(deadLetters, 1, (short) 1)))
                    .all()
                    .get();
        }
    }

    /** The service's settings for this run's topics and a fresh application id and state folder. */
    Map<String, String> serviceSettings(String modelDir, String stateDir) {
        return new java.util.HashMap<>(Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "resnet.registry.url", registryUrl,
                "resnet.application-id", run,
                "resnet.state-dir", stateDir,
                "resnet.model.dir", modelDir,
                "resnet.topics.images", images,
                "resnet.topics.predictions", predictions,
                "resnet.topics.dead-letters", deadLetters,
                "quarkus.http.port", "0"));
    }

    KafkaProducer<String, byte[]> producer() {
        Properties p = props();
        p.put("enable.idempotence", "true");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Reads committed records of both output topics until {@code done} holds or the timeout passes. */
    List<ConsumerRecord<String, byte[]>> readOutputs(
            Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout, ServiceProcess service) {
        return read(List.of(predictions, deadLetters), done, timeout, service);
    }

    /** Reads committed records of the topics until {@code done} holds or the timeout passes. */
    List<ConsumerRecord<String, byte[]>> read(
            List<String> topics,
            Predicate<List<ConsumerRecord<String, byte[]>>> done,
            Duration timeout,
            ServiceProcess service) {
        Properties p = props();
        p.put("group.id", run + "-reader-" + UUID.randomUUID());
        p.put("isolation.level", "read_committed");
        p.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            while (!done.test(out) && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(250)).forEach(out::add);
                if (service != null && !service.alive()) {
                    throw new AssertionError("the service died:\n" + service.logTail());
                }
            }
        }
        return out;
    }

    /** Input records whose offsets the service has committed (in its transactions). */
    long committedInputs() throws Exception {
        try (Admin admin = Admin.create(props())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(run)
                    .partitionsToOffsetAndMetadata()
                    .get();
            return offsets.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(images) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset())
                    .sum();
        }
    }

    long endOffsets(String topic) throws Exception {
        try (Admin admin = Admin.create(props())) {
            var partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions();
            Map<TopicPartition, OffsetSpec> specs = new java.util.HashMap<>();
            partitions.forEach(pi -> specs.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
            return admin.listOffsets(specs).all().get().values().stream()
                    .mapToLong(r -> r.offset())
                    .sum();
        }
    }
}
