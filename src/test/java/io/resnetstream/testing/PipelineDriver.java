package io.resnetstream.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;

import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.inference.Classifier;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;
import io.resnetstream.topology.Pipeline;
import io.resnetstream.topology.PipelineTopology;
import io.resnetstream.topology.ResnetConfig;

/**
 * The production assembly ({@link Pipeline#assemble}) on Kafka Streams' {@link TopologyTestDriver}, with a stand-in
 * model and a given registry: records in as bytes, outcomes out decoded by the project's own serdes.
 */
public final class PipelineDriver implements AutoCloseable {
    /** Small limits and two preprocessing threads, under whatever a test sets. */
    private static final Map<String, String> TEST_SETTINGS = Map.of(
            "resnet.limits.image-bytes", "1000000",
            "resnet.limits.dead-letter-payload-cap", "100",
            "resnet.model.top-k", "3",
            "resnet.batch.preprocess-threads", "2");

    public final ResnetConfig config;
    public final Pipeline pipeline;
    public final TopologyTestDriver driver;
    public final TestInputTopic<byte[], byte[]> images;
    public final TestOutputTopic<String, Prediction> predictions;
    public final TestOutputTopic<String, DeadLetter> deadLetters;
    public final TestOutputTopic<String, Prediction> shadowPredictions;
    public final MeterRegistry meters;

    /** @param stateDir where the attempt log goes: a test's own folder */
    public PipelineDriver(Map<String, String> settings, Classifier model, SchemaRegistry registry, Path stateDir) {
        this(settings, model, null, registry, stateDir);
    }

    /** @param candidate a shadow model, whose predictions go to {@link #shadowPredictions}; or null */
    public PipelineDriver(
            Map<String, String> settings,
            Classifier model,
            Classifier candidate,
            SchemaRegistry registry,
            Path stateDir) {
        this(settings, model, candidate, registry, stateDir, new SimpleMeterRegistry(), OpenTelemetry.noop());
    }

    /** @param meters where the pipeline's metrics go (a Prometheus registry, to read its scrape text) */
    public PipelineDriver(
            Map<String, String> settings,
            Classifier model,
            SchemaRegistry registry,
            Path stateDir,
            MeterRegistry meters) {
        this(settings, model, null, registry, stateDir, meters, OpenTelemetry.noop());
    }

    /**
     * @param meters        where the pipeline's metrics go (a Prometheus registry to scrape them)
     * @param openTelemetry what makes the batch spans (an SDK with an in-memory exporter to see them)
     */
    public PipelineDriver(
            Map<String, String> settings,
            Classifier model,
            Classifier candidate,
            SchemaRegistry registry,
            Path stateDir,
            MeterRegistry meters,
            OpenTelemetry openTelemetry) {
        Map<String, String> values = new HashMap<>(TEST_SETTINGS);
        values.put("resnet.state-dir", stateDir.toString());
        values.putAll(settings);
        config = TestConfig.resnet(values);
        this.meters = meters;
        pipeline = Pipeline.assemble(config, meters, model, candidate, registry, openTelemetry);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("streams").toString());
        driver = new TopologyTestDriver(pipeline.topology(), props);
        images =
                driver.createInputTopic(config.topics().images(), new ByteArraySerializer(), new ByteArraySerializer());
        predictions = driver.createOutputTopic(
                config.topics().predictions(),
                new StringDeserializer(),
                new AvroSerde<>(registry, Prediction.class, SerdeOptions.values()).deserializer());
        deadLetters = driver.createOutputTopic(
                config.topics().deadLetters(),
                new StringDeserializer(),
                new AvroSerde<>(registry, DeadLetter.class, SerdeOptions.values()).deserializer());
        shadowPredictions = driver.createOutputTopic(
                config.topics().shadowPredictions(),
                new StringDeserializer(),
                new AvroSerde<>(registry, Prediction.class, SerdeOptions.values()).deserializer());
    }

    /** The changelogged buffer of images waiting for their batch. */
    public KeyValueStore<Long, ?> buffer() {
        return driver.getKeyValueStore(PipelineTopology.BUFFER_STORE);
    }

    @Override
    public void close() {
        driver.close();
        pipeline.close();
    }
}
