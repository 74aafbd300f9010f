package io.resnetstream.topology;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.JpegDecoding;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.inference.ViewPlacement;
import io.resnetstream.ingest.InputFormat;
import io.resnetstream.registry.RegistrySettings;

/**
 * Every setting of the pipeline, under the prefix {@code resnet}, grouped by concern. Environment variables
 * work as usual ({@code RESNET_BATCH_MAX_IMAGES} for {@code resnet.batch.max-images}). Enums take their
 * documented spelling ({@code ten-crop}) or their constant name ({@code TEN_CROP}). The README's
 * configuration table lists them all; {@code ConfigurationReferenceTest} keeps it in step with this file.
 * <p>
 * A default that other code needs too (tests, tools) is a constant here, so it lives in one place.
 */
@ConfigMapping(prefix = "resnet")
public interface ResnetConfig {

    Model model();

    Batch batch();

    Limits limits();

    Fetch fetch();

    Registry registry();

    Topics topics();

    Shadow shadow();

    /** {@code avro}: Confluent-framed {@code ImageEvent}; {@code raw}: the value is the image, the key its id. */
    @WithDefault("avro")
    InputFormat inputFormat();

    // The next four feed the kafka-streams.* settings in application.properties; here they are documented
    // and validated like the rest.

    /** Kafka Streams application id: the consumer group, and the prefix of the changelog topic. */
    @WithDefault("resnet-stream")
    String applicationId();

    /** Kafka Streams state directory (the buffer store's checkpoint files). */
    @WithDefault("${java.io.tmpdir}/resnet-stream-state")
    String stateDir();

    /** Largest record the consumer fetches and the producer sends, bytes (images are big records). */
    @WithDefault("26214400")
    int fetchBytes();

    /**
     * SIGTERM gives Kafka Streams this long to close; then the process ends anyway. The transaction of a batch cut
     * short aborts and its images are classified again, so nothing is lost, and the process ends inside
     * Kubernetes' default grace period of 30 s.
     */
    @WithDefault("15s")
    @WithConverter(DurationWithUnitConverter.class)
    Duration shutdownTimeout();

    /** Replication factor of the topics Kafka Streams creates (the buffer store's changelog). */
    @WithDefault("1")
    int replicationFactor();

    /** The network and how its input is prepared. */
    interface Model {
        String DEFAULT_DIR = "models/shapes-resnet20";
        String DEFAULT_CROP_SCHEME = "ten-crop";
        String DEFAULT_VIEWS_ON = "engine";

        /** The SavedModel directory; a {@code manifest.json} beside it names the preprocessing. */
        @WithDefault(DEFAULT_DIR)
        Path dir();

        /** {@code ten-crop} (paper §3.4) or {@code center-crop}. */
        @WithDefault(DEFAULT_CROP_SCHEME)
        CropScheme cropScheme();

        /**
         * Where the views are made: {@code engine} (the host decodes and resizes; crops, flips, normalisation and the
         * views' mean run in the model's engine, on its device) or {@code host} (the host hands the model every view
         * as floats: the earlier path, kept for comparison). Both give the same predictions within float rounding.
         */
        @WithDefault(DEFAULT_VIEWS_ON)
        ViewPlacement viewsOn();

        /**
         * How a JPEG is decoded before it is resized to S: {@code scaled} (decoded at 1/2, 1/4 or 1/8 of its size
         * where that leaves the shorter side at least S, then resized: several times less decoding for large photos)
         * or {@code full} (decoded at full size, then resized: the pixels of decode-then-resize exactly).
         */
        @WithDefault("scaled")
        JpegDecoding jpegDecoding();

        /** Overrides the manifest's normalisation preset: caffe, torch, tf or none. */
        Optional<Normalization> normalization();

        /** Overrides the manifest's shorter-side size S. */
        OptionalInt resize();

        /** Overrides the manifest's crop size. */
        OptionalInt crop();

        /** Classes per prediction. */
        @WithDefault("5")
        int topK();

        /**
         * How often {@code dir} is checked for a new model (its manifest changed, or the link it is re-pointed);
         * a new one is loaded beside the running one and takes over at a batch boundary. {@code 0} turns it off.
         */
        @WithDefault("10s")
        @WithConverter(DurationWithUnitConverter.class)
        Duration watchInterval();
    }

    /**
     * A candidate model run beside the main one on the same batches, its predictions written to
     * {@code resnet.topics.shadow-predictions} only: it never changes the main output.
     */
    interface Shadow {
        /** The candidate's SavedModel directory; none by default (no shadow). */
        Optional<Path> modelDir();
    }

    /** How images are gathered into forward passes. */
    interface Batch {
        String DEFAULT_MAX_IMAGES = "16";

        /** Images (all their crops) in one forward pass at most: 16 ten-crop images are 160 views. */
        @WithDefault(DEFAULT_MAX_IMAGES)
        int maxImages();

        /**
         * Encoded bytes in one batch at most; a batch is also due once this many bytes wait, and the stream thread
         * then waits for the model. With max-images, what bounds the images held in memory: about
         * {@code (in-flight + 1) × max-bytes} (docs/operations.md, Memory).
         */
        @WithDefault("67108864")
        long maxBytes();

        /**
         * A batch runs once its oldest image has waited this long, full or not ({@code 100ms}, {@code 2s}); sooner when
         * no batch is running (with in-flight ≥ 1: an idle model does not wait for company).
         */
        @WithDefault("100ms")
        @WithConverter(DurationWithUnitConverter.class)
        Duration maxDelay();

        /**
         * Batches that run beside the stream thread at once: with 2, the next batch decodes while the current one is
         * in the model, and the stream thread keeps reading meanwhile. 0 runs each batch on the stream thread.
         */
        @WithDefault("2")
        int inFlight();

        /** Threads that decode and crop images of a batch in parallel; 0 means one per core. */
        @WithDefault("0")
        int preprocessThreads();

        /**
         * A batch still running after this long is abandoned, and its images run again alone. Well inside the
         * transaction timeout and the poll interval of application.properties.
         */
        @WithDefault("60s")
        @WithConverter(DurationWithUnitConverter.class)
        Duration deadline();

        /**
         * Batches an image may go into that never finish (the process crashed, hung or ran out of memory meanwhile)
         * before it is dead-lettered as POISON instead of run again.
         */
        @WithDefault("2")
        int maxAttempts();
    }

    /** Bounds on what one input may cost. */
    interface Limits {
        /** Largest accepted image (message value or fetched), bytes. */
        @WithDefault("20971520")
        long imageBytes();

        /** Largest accepted width × height, read from the header before decoding. */
        @WithDefault("40000000")
        long imagePixels();

        /** How many bytes of a rejected input the dead letter keeps. */
        @WithDefault("65536")
        int deadLetterPayloadCap();

        /** Longest image id (a raw record's key, an event's imageId), in UTF-8 bytes. */
        @WithDefault("1024")
        int idBytes();

        /** Largest width × height once the shorter side is resized to S: a 512×1 image is 131072×256 at S = 256. */
        @WithDefault("4194304")
        long resizedPixels();

        /** Most scans a JPEG may have: a progressive JPEG's decode time grows with each. */
        @WithDefault("100")
        int jpegScans();
    }

    /** What an {@code ImageEvent.uri} may point at (nothing unless configured), and how it is fetched. */
    interface Fetch {
        /** URI schemes an ImageEvent may reference (file, http, https). */
        Optional<List<String>> allowedSchemes();

        /** URI prefixes an ImageEvent may reference, e.g. {@code file:/data/images/}. */
        Optional<List<String>> allowedPrefixes();

        /**
         * Networks (CIDR) that may be fetched from although they are not public: private, loopback, link-local,
         * unique-local... (e.g. {@code 10.20.0.0/16} for an in-cluster image server). Cloud metadata addresses stay
         * refused.
         */
        Optional<List<String>> allowedNetworks();

        /** Bound on one attempt: connecting, waiting for the answer and reading the whole body. */
        @WithDefault("10s")
        @WithConverter(DurationWithUnitConverter.class)
        Duration timeout();

        /** Attempts at a fetch that fails transiently (timeout, refused, 5xx, 429) before it is dead-lettered. */
        @WithDefault("3")
        int maxAttempts();

        /** The wait before the second attempt; doubled before each next one (with jitter: half to all of it). */
        @WithDefault("500ms")
        @WithConverter(DurationWithUnitConverter.class)
        Duration backoff();

        String DEFAULT_PARALLELISM = "8";

        /**
         * Images read at once, per stream thread, while batches are prepared: URI fetches, and re-reads of the input
         * topic after a restore. I/O, not CPU: the threads mostly wait.
         */
        @WithDefault(DEFAULT_PARALLELISM)
        int parallelism();
    }

    /** The Confluent-compatible schema registry. */
    interface Registry {
        String DEFAULT_URL = "http://127.0.0.1:8081/apis/ccompat/v7";

        /** Base URL, e.g. Apicurio's Confluent API under {@code /apis/ccompat/v7}. */
        @WithDefault(DEFAULT_URL)
        String url();

        /** {@code user:password} for the registry's basic auth. */
        Optional<String> basicAuth();

        /**
         * How long one call waits out a registry that does not answer (or answers 5xx), with backoff, while readiness
         * says so; then the stream thread is replaced and the record read again. Below the transaction timeout.
         */
        @WithDefault("60s")
        @WithConverter(DurationWithUnitConverter.class)
        Duration retryFor();

        /** Register the output schemas on first use (off where a CI pipeline registers them). */
        @WithDefault("true")
        boolean autoRegister();

        /** Certificates to trust for an HTTPS registry; the JVM's own when unset. */
        Store trustStore();

        /** A client certificate for registries that demand mutual TLS. */
        Store keyStore();
    }

    /** A key or trust store file; unset when it has no path. */
    interface Store {
        Optional<Path> path();

        Optional<String> password();

        /** A {@link java.security.KeyStore} type: JKS (which also reads PKCS12 files), PKCS12... */
        @WithDefault(RegistrySettings.DEFAULT_STORE_TYPE)
        String type();

        default Optional<RegistrySettings.StoreLocation> location() {
            return path().map(p ->
                    new RegistrySettings.StoreLocation(p, password().orElse(null), type()));
        }
    }

    /** Topic names; the constants are the defaults, for tests and tools. */
    interface Topics {
        String IMAGES = "images";
        String PREDICTIONS = "predictions";
        String DEAD_LETTERS = "images-dlq";
        String SHADOW_PREDICTIONS = "predictions-shadow";

        /** Input: images, as {@code ImageEvent}s or raw bytes. */
        @WithDefault(IMAGES)
        String images();

        /** Output: one {@code Prediction} per classified image. */
        @WithDefault(PREDICTIONS)
        String predictions();

        /** Output: one {@code DeadLetter} per rejected input. */
        @WithDefault(DEAD_LETTERS)
        String deadLetters();

        /** Output of the shadow model ({@code resnet.shadow.model-dir}), when there is one. */
        @WithDefault(SHADOW_PREDICTIONS)
        String shadowPredictions();
    }
}
