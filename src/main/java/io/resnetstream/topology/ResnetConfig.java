package io.resnetstream.topology;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of the pipeline, under the prefix {@code resnet}. Environment variables work as usual
 * ({@code RESNET_MAX_BATCH_IMAGES} for {@code resnet.max-batch-images}). The README lists them all.
 */
@ConfigMapping(prefix = "resnet")
public interface ResnetConfig {

    Topic topic();

    // The next four feed the kafka-streams.* settings in application.properties; here they are documented
    // and validated like the rest.

    /** Kafka Streams application id: the consumer group, and the prefix of the changelog topic. */
    @WithDefault("resnet-stream")
    String applicationId();

    /** Kafka Streams state directory (the buffer store's checkpoint files). */
    Optional<String> stateDir();

    /** Largest record the consumer fetches and the producer sends, bytes (images are big records). */
    @WithDefault("26214400")
    int fetchBytes();

    /** Replication factor of the topics Kafka Streams creates (the buffer store's changelog). */
    @WithDefault("1")
    int replicationFactor();

    /** {@code avro}: Confluent-framed {@code ImageEvent}; {@code raw}: the value is the image, the key its id. */
    @WithDefault("avro")
    String inputFormat();

    /** Confluent-compatible schema registry base URL. */
    @WithDefault("http://127.0.0.1:8081/apis/ccompat/v7")
    String registryUrl();

    /** {@code user:password} for the registry's basic auth. */
    Optional<String> registryBasicAuth();

    /** Register the output schemas on first use (off where a CI pipeline registers them). */
    @WithDefault("true")
    boolean registryAutoRegister();

    /** The SavedModel directory; a {@code manifest.json} beside it names the preprocessing. */
    @WithDefault("models/shapes-resnet20")
    String modelDir();

    /** {@code ten-crop} (paper §3.4) or {@code center-crop}. */
    @WithDefault("ten-crop")
    String cropScheme();

    /** Overrides the manifest's normalisation preset: caffe, torch, tf or none. */
    Optional<String> normalization();

    /** Overrides the manifest's shorter-side size S. */
    Optional<Integer> resize();

    /** Overrides the manifest's crop size. */
    Optional<Integer> crop();

    @WithDefault("5")
    int topK();

    /** Images (all their crops) in one forward pass at most: 16 ten-crop images are 160 views. */
    @WithDefault("16")
    int maxBatchImages();

    /** A batch runs once its oldest image has waited this long, full or not. */
    @WithDefault("100")
    long maxBatchDelayMs();

    /**
     * Batches that run beside the stream thread at once: with 2, the next batch decodes while the current one is in
     * the model, and the stream thread keeps reading meanwhile. 0 runs each batch on the stream thread.
     */
    @WithDefault("2")
    int batchesInFlight();

    /** Threads that decode and crop images of a batch in parallel; 0 means one per core. */
    @WithDefault("0")
    int preprocessThreads();

    /** Largest accepted image (message value or fetched), bytes. */
    @WithDefault("20971520")
    long maxImageBytes();

    /** Largest accepted width × height, read from the header before decoding. */
    @WithDefault("40000000")
    long maxImagePixels();

    /** How many bytes of a rejected input the dead letter keeps. */
    @WithDefault("65536")
    int deadLetterPayloadCap();

    /** URI schemes an ImageEvent may reference (file, http, https); none by default. */
    Optional<List<String>> fetchAllowedSchemes();

    /** URI prefixes an ImageEvent may reference, e.g. {@code file:/data/images/}. */
    Optional<List<String>> fetchAllowedPrefixes();

    interface Topic {
        @WithDefault(Topics.IMAGES)
        String images();

        @WithDefault(Topics.PREDICTIONS)
        String predictions();

        @WithDefault(Topics.DEAD_LETTERS)
        String deadLetters();
    }
}
