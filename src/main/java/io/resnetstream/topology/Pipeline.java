package io.resnetstream.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.function.UnaryOperator;

import org.apache.kafka.streams.Topology;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.ImageDecoder;
import io.resnetstream.imaging.ImageLimits;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.ingest.UriFetcher;
import io.resnetstream.ingest.UriPolicy;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.inference.TensorFlowClassifier;
import io.resnetstream.ingest.AvroLimits;
import io.resnetstream.ingest.ImageIntake;
import io.resnetstream.ingest.InputFormat;
import io.resnetstream.registry.serde.AvroSerde;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.SchemaRegistryClient;

/**
 * The pipeline assembled from its configuration: the loaded model, the topology, and what must be
 * closed with them. The service ({@link TopologyProducer}) and the benchmark share it.
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Pipeline.class);

    private final Topology topology;
    private final BatchClassifier batchClassifier;

    private Pipeline(Topology topology, BatchClassifier batchClassifier) {
        this.topology = topology;
        this.batchClassifier = batchClassifier;
    }

    public static Pipeline assemble(ResnetConfig config, MeterRegistry meters) {
        return assemble(config, meters, UnaryOperator.identity());
    }

    /** @param wrapModel stands in front of the loaded model (the benchmark's simulated accelerator) */
    public static Pipeline assemble(ResnetConfig config, MeterRegistry meters, UnaryOperator<Classifier> wrapModel) {
        AvroLimits.capTo(config.maxImageBytes());
        Classifier model;
        try {
            model = wrapModel.apply(TensorFlowClassifier.load(Path.of(config.modelDir())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the model in " + config.modelDir() + ": " + e.getMessage(), e);
        }
        ModelManifest m = model.manifest();
        CropScheme scheme = CropScheme.parse(config.cropScheme());
        int resize = config.resize().orElse(m.resize());
        int crop = config.crop().orElse(m.crop());
        String normalization = config.normalization().orElse(m.normalization());
        ImageDecoder decoder = new ImageDecoder(new ImageLimits(config.maxImageBytes(), config.maxImagePixels()));
        BatchClassifier batchClassifier = new BatchClassifier(model, decoder,
                new Preprocessor(resize, crop, scheme, Normalization.parse(normalization)), config.topK(),
                config.preprocessThreads());
        LOG.infof("model %s %s (sha256 %s) from %s: %s, resize %d, crop %d, %s; batches of up to %d images or %d ms, %d in flight",
                m.name(), m.version(), m.digest(), config.modelDir(), scheme.id(), resize, crop, normalization,
                config.maxBatchImages(), config.maxBatchDelayMs(), config.batchesInFlight());

        RegistrySettings.Builder registrySettings = RegistrySettings.builder(config.registryUrl());
        config.registryBasicAuth().ifPresent(registrySettings::basicAuth);
        SchemaRegistryClient registry = new SchemaRegistryClient(registrySettings.build());
        UriPolicy uris = new UriPolicy(new HashSet<>(config.fetchAllowedSchemes().orElse(List.of())),
                config.fetchAllowedPrefixes().orElse(List.of()));
        ImageIntake intake = new ImageIntake(InputFormat.parse(config.inputFormat()),
                new AvroSerde<>(registry, ImageEvent.class, false, false).deserializer(), decoder,
                new UriFetcher(uris, config.maxImageBytes()), config.maxImageBytes());
        boolean autoRegister = config.registryAutoRegister();
        Topology topology = PipelineTopology.build(
                new PipelineTopology.TopicNames(config.topic().images(), config.topic().predictions(),
                        config.topic().deadLetters()),
                intake,
                new Outcomes(m, model.labels(), scheme, config.deadLetterPayloadCap()),
                batchClassifier,
                new PipelineTopology.BatchSettings(config.maxBatchImages(), config.maxBatchDelayMs(),
                        config.batchesInFlight()),
                new ClassifyMetrics(meters),
                new AvroSerde<>(registry, Prediction.class, autoRegister, false).serializer(),
                new AvroSerde<>(registry, DeadLetter.class, autoRegister, false).serializer());
        return new Pipeline(topology, batchClassifier);
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
    }
}
