package io.resnetstream.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfig;

import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.inference.Classifier;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.topology.Pipeline;
import io.resnetstream.topology.PipelineTopology;
import io.resnetstream.topology.ResnetConfig;

/**
 * The service's pipeline run in-process on the local stack, on fresh topics, with the service's own
 * Kafka Streams settings: what the benchmark and the evaluation measure.
 */
final class LocalPipeline implements AutoCloseable {
    private final KafkaOptions kafka;
    private final ResnetConfig config;
    private final Pipeline pipeline;
    private final Properties streamsProps;
    private KafkaStreams streams;

    /** Assembles the pipeline (loads the model) on fresh topics named after {@code run}. */
    LocalPipeline(KafkaOptions kafka, String run, Map<String, String> settings) {
        this(kafka, run, settings, UnaryOperator.identity());
    }

    LocalPipeline(KafkaOptions kafka, String run, Map<String, String> settings, UnaryOperator<Classifier> wrapModel) {
        this.kafka = kafka;
        Map<String, String> values = new HashMap<>(settings);
        // the broker, the registry and their security settings, as the service would be given them
        values.putAll(kafka.clientConfig().serviceSettings());
        values.put("resnet.application-id", run);
        values.put("resnet.state-dir", System.getProperty("java.io.tmpdir") + "/resnet-stream-tools/" + run);
        values.put("resnet.topics.images", run + "-images");
        values.put("resnet.topics.predictions", run + "-predictions");
        values.put("resnet.topics.dead-letters", run + "-dlq");
        SmallRyeConfig all = ConfigLoader.load(values);
        this.config = ConfigLoader.pipeline(all);
        this.streamsProps = ConfigLoader.streams(all);
        streamsProps.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap);
        streamsProps.put(StreamsConfig.APPLICATION_ID_CONFIG, run);
        this.pipeline = Pipeline.assemble(config, new SimpleMeterRegistry(), wrapModel);
    }

    Pipeline pipeline() {
        return pipeline;
    }

    ResnetConfig config() {
        return config;
    }

    /** Creates the topics and starts Kafka Streams; returns once it runs. */
    void start(int imagePartitions) throws Exception {
        try (Admin a = Admin.create(kafka.clientProperties())) {
            a.createTopics(List.of(
                            new NewTopic(config.topics().images(), imagePartitions, (short) 1),
                            new NewTopic(config.topics().predictions(), 1, (short) 1),
                            new NewTopic(config.topics().deadLetters(), 1, (short) 1)))
                    .all()
                    .get();
        }
        streams = new KafkaStreams(pipeline.topology(), streamsProps);
        streams.start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.currentTimeMillis() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("Kafka Streams did not start: " + streams.state());
            }
            Thread.sleep(100);
        }
    }

    /** ImageEvents in the wire format, their schema registered on first use. */
    Serializer<ImageEvent> eventSerializer() {
        return new AvroSerde<>(
                        kafka.registryClient(),
                        ImageEvent.class,
                        SerdeOptions.values().registeringSchemas())
                .serializer();
    }

    Deserializer<Prediction> predictionDeserializer() {
        return new AvroSerde<>(kafka.registryClient(), Prediction.class, SerdeOptions.values()).deserializer();
    }

    /** A producer for the input topic: string keys, serialised values. */
    KafkaProducer<String, byte[]> producer() {
        Properties producerProps = kafka.clientProperties();
        producerProps.put("max.request.size", String.valueOf(config.fetchBytes()));
        return new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    }

    /** Consumer settings that see outcomes only once committed, as any reader of the service's output would. */
    Properties outcomeConsumerProperties() {
        Properties consumerProps = kafka.clientProperties();
        consumerProps.put("isolation.level", "read_committed");
        consumerProps.put("auto.offset.reset", "earliest");
        return consumerProps;
    }

    /**
     * Sends the samples as ImageEvents and waits for all their outcomes; returns the predictions. Outcomes of other
     * images (an earlier call's, on the same topics) are not counted.
     */
    List<Prediction> classify(List<SampleImages.Sample> samples, Duration timeout) {
        return classify(samples, timeout, () -> {});
    }

    /** The same, calling {@code allSeen} once every outcome is in, before this side's clients close. */
    List<Prediction> classify(List<SampleImages.Sample> samples, Duration timeout, Runnable allSeen) {
        Set<String> ids = samples.stream().map(SampleImages.Sample::id).collect(Collectors.toSet());
        Serializer<ImageEvent> events = eventSerializer();
        Deserializer<Prediction> predictions = predictionDeserializer();
        Properties consumerProps = outcomeConsumerProperties();
        consumerProps.put("group.id", config.topics().predictions() + "-reader");
        List<Prediction> out = new ArrayList<>();
        int outcomes = 0;
        try (var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
                var producer = producer()) {
            consumer.subscribe(
                    List.of(config.topics().predictions(), config.topics().deadLetters()));
            for (SampleImages.Sample s : samples) {
                byte[] event = events.serialize(config.topics().images(), ProduceCommand.event(s));
                producer.send(new ProducerRecord<>(config.topics().images(), s.id(), event));
            }
            producer.flush();
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (outcomes < samples.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (!ids.contains(r.key())) {
                        continue;
                    }
                    outcomes++;
                    if (r.topic().equals(config.topics().predictions())) {
                        out.add(predictions.deserialize(r.topic(), r.value()));
                    }
                }
            }
            if (outcomes == samples.size()) {
                allSeen.run();
            }
        }
        if (outcomes < samples.size()) {
            throw new IllegalStateException(
                    "only " + outcomes + " of " + samples.size() + " outcomes within " + timeout);
        }
        return out;
    }

    /** Bytes on the broker for the input topic and the buffer store's changelog: the price of exactly-once buffering. */
    long[] inputAndChangelogBytes() throws Exception {
        String changelog = streamsProps.get(StreamsConfig.APPLICATION_ID_CONFIG) + "-" + PipelineTopology.BUFFER_STORE
                + "-changelog";
        try (Admin a = Admin.create(kafka.clientProperties())) {
            Map<String, Long> bytes = new HashMap<>();
            List<Integer> brokers =
                    a.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
            a.describeLogDirs(brokers).allDescriptions().get().values().forEach(dirs -> dirs.values()
                    .forEach(dir ->
                            dir.replicaInfos().forEach((tp, info) -> bytes.merge(tp.topic(), info.size(), Long::sum))));
            return new long[] {bytes.getOrDefault(config.topics().images(), 0L), bytes.getOrDefault(changelog, 0L)};
        }
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
        pipeline.close();
    }
}
