package io.resnetstream.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
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
import io.resnetstream.imaging.JpegDecoding;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.ModelSlot;
import io.resnetstream.inference.ModelWatcher;
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
    private final ModelSlot models;
    private final ModelSlot shadow;
    private final AttemptLog attempts;
    private final RetryingSchemaRegistry registry;
    private final MeterRegistry meters;
    private final InputRereads rereads;
    /** The model serving ({@code resnet_model_info}), shown whether or not the model directory is watched. */
    private final ModelMetrics modelMetrics;

    private ModelWatcher watcher;

    private Pipeline(
            Topology topology,
            ModelSlot models,
            ModelSlot shadow,
            AttemptLog attempts,
            RetryingSchemaRegistry registry,
            MeterRegistry meters,
            InputRereads rereads) {
        this.modelMetrics = new ModelMetrics(meters, models.current().identity());
        this.topology = topology;
        this.models = models;
        this.shadow = shadow;
        this.attempts = attempts;
        this.registry = registry;
        this.meters = meters;
        this.rereads = rereads;
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

    /** The service's pipeline without traces: the tools. */
    public static Pipeline assemble(ResnetConfig config, MeterRegistry meters) {
        return assemble(config, meters, OpenTelemetry.noop());
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
        Path dir = config.model().dir();
        Classifier model = wrapModel.apply(loadModel(dir));
        Classifier candidate =
                config.shadow().modelDir().map(Pipeline::loadModel).orElse(null);
        Pipeline pipeline = assemble(config, meters, model, candidate, registry, openTelemetry);
        Duration every = config.model().watchInterval();
        if (!every.isZero() && !every.isNegative()) {
            pipeline.watchModel(dir, every, d -> batchClassifier(config, wrapModel.apply(loadModel(d))));
        }
        return pipeline;
    }

    /**
     * Puts each new model that appears in {@code dir} into service at a batch boundary (see {@link ModelWatcher}).
     *
     * @return the watcher, which the pipeline closes; tests call its {@link ModelWatcher#check()} themselves
     */
    public ModelWatcher watchModel(Path dir, Duration every, ModelWatcher.Loader loader) {
        try {
            watcher = new ModelWatcher(dir, models, loader, modelMetrics);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch the model directory " + dir + ": " + e.getMessage(), e);
        }
        return watcher.start(every);
    }

    /**
     * The composition root every other overload goes through; tests give it a stand-in model and an in-memory
     * registry. The pipeline owns the model from here: {@link #close()} closes it.
     */
    public static Pipeline assemble(
            ResnetConfig config, MeterRegistry meters, Classifier model, SchemaRegistry registryClient) {
        return assemble(config, meters, model, null, registryClient, OpenTelemetry.noop());
    }

    /**
     * @param candidate the shadow model, classifying the same batches into the shadow topic only; or null
     */
    public static Pipeline assemble(
            ResnetConfig config,
            MeterRegistry meters,
            Classifier model,
            Classifier candidate,
            SchemaRegistry registryClient) {
        return assemble(config, meters, model, candidate, registryClient, OpenTelemetry.noop());
    }

    /**
     * The composition root.
     *
     * @param openTelemetry makes a span per batch (a no-op one while the SDK is disabled)
     */
    public static Pipeline assemble(
            ResnetConfig config,
            MeterRegistry meters,
            Classifier model,
            Classifier candidate,
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
        checkSettings(config, model.labels());
        BatchClassifier served = batchClassifier(config, model);
        // intake checks headers with the served model's decoder (its S bounds the resized pixels)
        ImageDecoder decoder = served.decoder();
        Preprocessor views = served.preprocessor();
        ResnetConfig.Batch batch = config.batch();
        ModelSlot models = new ModelSlot(served);
        ModelSlot shadow = null;
        if (candidate != null) {
            checkSettings(config, candidate.labels());
            shadow = new ModelSlot(batchClassifier(config, candidate));
            ModelManifest c = candidate.manifest();
            LOG.infof(
                    "shadow model %s %s (sha256 %s): same batches, predictions to %s only",
                    c.name(), c.version(), c.digest(), config.topics().shadowPredictions());
        }
        LOG.infof(
                "model %s %s (sha256 %s) from %s: %s made in the %s, resize %d, crop %d, %s; batches of up to %d images or %d ms, %d in flight",
                m.name(),
                m.version(),
                m.digest(),
                settings.dir(),
                scheme.id(),
                settings.viewsOn().id(),
                views.resizeShorter(),
                views.cropSize(),
                views.normalization().id(),
                batch.maxImages(),
                batch.maxDelay().toMillis(),
                batch.inFlight());

        ClassifyMetrics metrics = new ClassifyMetrics(meters);
        boolean autoRegister = config.registry().autoRegister();
        AttemptLog attempts = new FileAttemptLog(attemptLogFile(config));
        InputRereads rereads = new InputRereads();
        Topology topology = PipelineTopology.build(
                config.topics(),
                batch,
                intake(config, registry, decoder),
                new Outcomes(m, model.labels(), scheme, limits.deadLetterPayloadCap()),
                models,
                shadow,
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
                        .serializer(),
                config.fetch().parallelism(),
                rereads);
        return new Pipeline(topology, models, shadow, attempts, registry, meters, rereads);
    }

    /** The batch classifier for a model: its preprocessing from its manifest, unless the settings override it. */
    static BatchClassifier batchClassifier(ResnetConfig config, Classifier model) {
        ModelManifest m = model.manifest();
        ResnetConfig.Model settings = config.model();
        int resize = settings.resize().orElse(m.resize());
        int crop = settings.crop().orElse(m.crop());
        Normalization normalization = settings.normalization().orElseGet(() -> Normalization.parse(m.normalization()));
        return new BatchClassifier(
                model,
                decoder(config.limits(), resize, settings.jpegDecoding()),
                new Preprocessor(resize, crop, settings.cropScheme(), normalization),
                settings.topK(),
                config.batch().preprocessThreads(),
                settings.viewsOn());
    }

    private static ImageDecoder decoder(ResnetConfig.Limits limits, int resize, JpegDecoding jpegDecoding) {
        return new ImageDecoder(
                new ImageLimits(
                        limits.imageBytes(), limits.imagePixels(), limits.jpegScans(), resize, limits.resizedPixels()),
                jpegDecoding);
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
                || config.fetch().parallelism() < 1
                || batch.maxAttempts() < 1
                || batch.maxDelay().isNegative()
                || batch.deadline().isNegative()
                || batch.deadline().isZero()) {
            throw new IllegalArgumentException(
                    "resnet.batch.*: max-images, max-bytes and max-attempts must be at least 1, "
                            + "in-flight, preprocess-threads and max-delay not negative, deadline positive; "
                            + "resnet.fetch.parallelism at least 1");
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
        ResnetConfig.Fetch fetch = config.fetch();
        if (fetch.maxAttempts() < 1
                || fetch.timeout().isNegative()
                || fetch.timeout().isZero()
                || fetch.backoff().isNegative()) {
            throw new IllegalArgumentException(
                    "resnet.fetch.*: max-attempts must be at least 1, timeout positive, backoff not negative");
        }
        Duration worstFetch = new UriFetcher.Retry(fetch.maxAttempts(), fetch.backoff()).worstCase(fetch.timeout());
        if (!fetch.allowedSchemes().orElse(List.of()).isEmpty() && worstFetch.compareTo(batch.deadline()) >= 0) {
            // a fetch, all its attempts, must end well inside the batch that waits for it (and inside the poll interval
            // while it still runs on the stream thread at intake)
            throw new IllegalArgumentException("resnet.fetch.*: max-attempts × timeout plus the backoffs is "
                    + worstFetch + ", not under resnet.batch.deadline (" + batch.deadline() + ")");
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
        ResnetConfig.Fetch fetch = config.fetch();
        UriPolicy uris = new UriPolicy(
                new HashSet<>(fetch.allowedSchemes().orElse(List.of())),
                fetch.allowedPrefixes().orElse(List.of()),
                fetch.allowedNetworks().orElse(List.of()));
        return new ImageIntake(
                config.inputFormat(),
                new AvroSerde<>(registry, ImageEvent.class, SerdeOptions.values()).deserializer(),
                decoder,
                new UriFetcher(
                        uris,
                        maxBytes,
                        fetch.timeout(),
                        new UriFetcher.Retry(fetch.maxAttempts(), fetch.backoff()),
                        UriFetcher.HostResolver.SYSTEM,
                        null),
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
    public static RegistrySettings registrySettings(ResnetConfig.Registry config) {
        RegistrySettings.Builder settings = RegistrySettings.builder(config.url());
        config.basicAuth().ifPresent(settings::basicAuth);
        config.trustStore().location().ifPresent(settings::trustStore);
        config.keyStore().location().ifPresent(settings::keyStore);
        return settings.build();
    }

    public Topology topology() {
        return topology;
    }

    /** The batch classifier serving now (a model switch replaces it). */
    public BatchClassifier batchClassifier() {
        return models.current();
    }

    /** Where the model batches run on lives; replacing it switches models at the next batch. */
    public ModelSlot models() {
        return models;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        models.close();
        if (shadow != null) {
            shadow.close();
        }
        attempts.close();
        rereads.close();
    }
}
