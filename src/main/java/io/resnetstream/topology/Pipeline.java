package io.resnetstream.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.function.UnaryOperator;

import org.apache.kafka.streams.Topology;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;

import io.resnetstream.batching.AttemptLog;
import io.resnetstream.batching.BatchCoordinator;
import io.resnetstream.batching.FileAttemptLog;
import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.ImageDecoder;
import io.resnetstream.imaging.ImageLimits;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.ingest.AvroLimits;
import io.resnetstream.ingest.ImageIntake;
import io.resnetstream.ingest.UriFetcher;
import io.resnetstream.ingest.UriPolicy;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.RetryingSchemaRegistry;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.serde.SerdeOptions;

/**
 * The pipeline assembled from its configuration: the loaded model, the topology, and what must be
 * closed with them. The production composition root: the service ({@link TopologyProducer}), the tools and
 * the topology tests all build the pipeline here.
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Pipeline.class);

    private final Topology topology;
    private final BatchClassifier batchClassifier;
    private final AttemptLog attempts;
    private final RetryingSchemaRegistry registry;

    private Pipeline(
            Topology topology, BatchClassifier batchClassifier, AttemptLog attempts, RetryingSchemaRegistry registry) {
        this.topology = topology;
        this.batchClassifier = batchClassifier;
        this.attempts = attempts;
        this.registry = registry;
    }

    /** The registry as the pipeline uses it: retried, and saying since when it has not answered. */
    public RetryingSchemaRegistry registry() {
        return registry;
    }

    /**
     * The service's pipeline: the TensorFlow model in {@code resnet.model.dir}, the registry over HTTP.
     *
     * @param openTelemetry makes a span per batch (a no-op one while the SDK is disabled)
     */
    public static Pipeline assemble(ResnetConfig config, MeterRegistry meters, OpenTelemetry openTelemetry) {
        return assemble(config, meters, UnaryOperator.identity(), openTelemetry);
    }

    /** @param wrapModel stands in front of the loaded model (the benchmark's simulated accelerator) */
    public static Pipeline assemble(ResnetConfig config, MeterRegistry meters, UnaryOperator<Classifier> wrapModel) {
        return assemble(config, meters, wrapModel, OpenTelemetry.noop());
    }

    private static Pipeline assemble(
            ResnetConfig config,
            MeterRegistry meters,
            UnaryOperator<Classifier> wrapModel,
            OpenTelemetry openTelemetry) {
        // The registry client first: a bad URL or store fails before the slow model load.
        SchemaRegistry registry = new HttpSchemaRegistry(registrySettings(config.registry()));
        return assemble(config, meters, wrapModel.apply(loadModel(config.model().dir())), registry, openTelemetry);
    }

    /** Without traces: tests and tools. */
    public static Pipeline assemble(
            ResnetConfig config, MeterRegistry meters, Classifier model, SchemaRegistry registryClient) {
        return assemble(config, meters, model, registryClient, OpenTelemetry.noop());
    }

    /**
     * The composition root every other overload goes through; tests give it a stand-in model and an in-memory
     * registry. The pipeline owns the model from here: {@link #close()} closes it.
     */
    public static Pipeline assemble(
            ResnetConfig config,
            MeterRegistry meters,
            Classifier model,
            SchemaRegistry registryClient,
            OpenTelemetry openTelemetry) {
        RetryingSchemaRegistry registry =
                new RetryingSchemaRegistry(registryClient, config.registry().retryFor());
        // readiness as a metric too, so that an alert can say the service waits for the registry
        Gauge.builder("resnet.schema.registry.available", registry, r -> r.unavailableSince() == 0 ? 1 : 0)
                .description("1 while the schema registry answers; 0 while records wait for it (readiness is down)")
                .register(meters);
        ResnetConfig.Limits limits = config.limits();
        AvroLimits.capTo(limits.imageBytes());
        ModelManifest m = model.manifest();
        ResnetConfig.Model settings = config.model();
        CropScheme scheme = settings.cropScheme();
        int resize = settings.resize().orElse(m.resize());
        int crop = settings.crop().orElse(m.crop());
        Normalization normalization = settings.normalization().orElseGet(() -> Normalization.parse(m.normalization()));
        checkSettings(config, model.labels());
        ImageDecoder decoder = new ImageDecoder(new ImageLimits(
                limits.imageBytes(), limits.imagePixels(), limits.jpegScans(), resize, limits.resizedPixels()));
        ResnetConfig.Batch batch = config.batch();
        BatchClassifier batchClassifier = new BatchClassifier(
                model,
                decoder,
                new Preprocessor(resize, crop, scheme, normalization),
                settings.topK(),
                batch.preprocessThreads());
        LOG.infof(
                "model %s %s (sha256 %s) from %s: %s, resize %d, crop %d, %s; batches of up to %d images or %d ms, %d in flight",
                m.name(),
                m.version(),
                m.digest(),
                settings.dir(),
                scheme.id(),
                resize,
                crop,
                normalization.id(),
                batch.maxImages(),
                batch.maxDelay().toMillis(),
                batch.inFlight());

        ClassifyMetrics metrics = new ClassifyMetrics(meters);
        metrics.modelInUse(m.name(), m.version(), m.digest());
        boolean autoRegister = config.registry().autoRegister();
        AttemptLog attempts = new FileAttemptLog(attemptLogFile(config));
        Topology topology = PipelineTopology.build(
                config.topics(),
                batch,
                intake(config, registry, decoder),
                new Outcomes(m, model.labels(), scheme, limits.deadLetterPayloadCap()),
                batchClassifier,
                new BatchCoordinator.Quarantine(
                        attempts, batch.maxAttempts(), batch.deadline().toMillis()),
                config.fetchBytes(),
                metrics,
                new OpenTelemetryBatchTracing(openTelemetry),
                new AvroSerde<>(
                                registry,
                                Prediction.class,
                                SerdeOptions.values().registeringSchemas(autoRegister))
                        .serializer(),
                new AvroSerde<>(
                                registry,
                                DeadLetter.class,
                                SerdeOptions.values().registeringSchemas(autoRegister))
                        .serializer());
        return new Pipeline(topology, batchClassifier, attempts, registry);
    }

    /**
     * Beside Kafka Streams' own folder in the state directory, so it outlives the process that wrote it (Kubernetes
     * keeps an emptyDir across a container's restarts) but not the instance.
     */
    static Path attemptLogFile(ResnetConfig config) {
        return Path.of(config.stateDir()).resolve(config.applicationId() + "-attempts.log");
    }

    /** Settings that would fail every record are refused at start instead. */
    static void checkSettings(ResnetConfig config, List<String> labels) {
        int topK = config.model().topK();
        if (topK < 1) {
            // more than the model's classes is fine: a prediction then lists them all
            throw new IllegalArgumentException("resnet.model.top-k is " + topK
                    + ": it must be at least 1 (the model has " + labels.size() + " classes)");
        }
        ResnetConfig.Batch batch = config.batch();
        if (batch.maxImages() < 1
                || batch.maxBytes() < 1
                || batch.inFlight() < 0
                || batch.preprocessThreads() < 0
                || batch.maxAttempts() < 1
                || batch.maxDelay().isNegative()
                || batch.deadline().isNegative()
                || batch.deadline().isZero()) {
            throw new IllegalArgumentException(
                    "resnet.batch.*: max-images, max-bytes and max-attempts must be at least 1, "
                            + "in-flight, preprocess-threads and max-delay not negative, deadline positive");
        }
        ResnetConfig.Limits limits = config.limits();
        if (limits.imageBytes() < 1
                || limits.imagePixels() < 1
                || limits.idBytes() < 1
                || limits.jpegScans() < 1
                || limits.resizedPixels() < 1
                || limits.deadLetterPayloadCap() < 0) {
            throw new IllegalArgumentException("resnet.limits.*: every limit must be positive");
        }
        // the largest outcome is a dead letter: its payload and key cut to the cap, its id, message and framing
        long largestOutcome = 2L * limits.deadLetterPayloadCap() + limits.idBytes() + 16 * 1024;
        if (largestOutcome > config.fetchBytes()) {
            throw new IllegalArgumentException(
                    "resnet.limits.dead-letter-payload-cap of " + limits.deadLetterPayloadCap()
                            + " makes a dead letter of up to " + largestOutcome + " bytes, over resnet.fetch-bytes ("
                            + config.fetchBytes() + "), the largest record the producer sends");
        }
    }

    private static ImageIntake intake(ResnetConfig config, SchemaRegistry registry, ImageDecoder decoder) {
        long maxBytes = config.limits().imageBytes();
        UriPolicy uris = new UriPolicy(
                new HashSet<>(config.fetch().allowedSchemes().orElse(List.of())),
                config.fetch().allowedPrefixes().orElse(List.of()));
        return new ImageIntake(
                config.inputFormat(),
                new AvroSerde<>(registry, ImageEvent.class, SerdeOptions.values()).deserializer(),
                decoder,
                new UriFetcher(uris, maxBytes),
                maxBytes,
                config.limits().idBytes());
    }

    private static Classifier loadModel(Path dir) {
        try {
            return TensorFlowClassifier.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the model in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The registry's settings: URL, basic auth, and the trust and key stores for (mutual) TLS. */
    static RegistrySettings registrySettings(ResnetConfig.Registry config) {
        RegistrySettings.Builder settings = RegistrySettings.builder(config.url());
        config.basicAuth().ifPresent(settings::basicAuth);
        config.trustStore().location().ifPresent(settings::trustStore);
        config.keyStore().location().ifPresent(settings::keyStore);
        return settings.build();
    }

    public Topology topology() {
        return topology;
    }

    public BatchClassifier batchClassifier() {
        return batchClassifier;
    }

    @Override
    public void close() {
        batchClassifier.close();
        batchClassifier.classifier().close();
        attempts.close();
    }
}
