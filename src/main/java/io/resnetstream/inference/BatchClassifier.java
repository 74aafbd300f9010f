package io.resnetstream.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.ImageDecoder;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

/**
 * Classifies a batch of encoded images in one forward pass: decodes them in parallel, runs all their views through
 * the model at once, and averages each image's views. With {@link ViewPlacement#ENGINE} the host only decodes and
 * resizes, and the model's engine makes the views ({@link Classifier#classifyResized}); with {@link
 * ViewPlacement#HOST} the host cuts and normalises every view as floats. An image that fails to decode gets its own
 * failure; it never fails the batch. A model failure throws.
 */
public final class BatchClassifier implements AutoCloseable {
    private final Classifier classifier;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final int topK;
    private final ViewPlacement placement;
    private final ExecutorService pool;
    private final ModelIdentity identity;

    /** Views made in the engine. */
    public BatchClassifier(
            Classifier classifier, ImageDecoder decoder, Preprocessor preprocessor, int topK, int threads) {
        this(classifier, decoder, preprocessor, topK, threads, ViewPlacement.ENGINE);
    }

    public BatchClassifier(
            Classifier classifier,
            ImageDecoder decoder,
            Preprocessor preprocessor,
            int topK,
            int threads,
            ViewPlacement placement) {
        this.classifier = classifier;
        this.decoder = decoder;
        this.preprocessor = preprocessor;
        this.topK = topK;
        this.placement = placement;
        this.identity = new ModelIdentity(classifier.manifest(), List.copyOf(classifier.labels()));
        if (placement == ViewPlacement.ENGINE) {
            classifier.prepareViews(preprocessor);
        }
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "preprocess");
            t.setDaemon(true);
            return t;
        });
    }

    public Classifier classifier() {
        return classifier;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    public ImageDecoder decoder() {
        return decoder;
    }

    public ViewPlacement placement() {
        return placement;
    }

    /**
     * One result per image, in order: scores, or the reason it could not be classified.
     *
     * @param model the model that made the scores (null where no model ran); predictions name it
     */
    public record Result(ImageScores scores, RejectedInputException failure, ModelIdentity model) {
        public Result(ImageScores scores, RejectedInputException failure) {
            this(scores, failure, null);
        }
    }

    /** Who made a prediction: the model's manifest (name, version, digest) and its class names. */
    public record ModelIdentity(ModelManifest manifest, List<String> labels) {}

    /** This classifier's model, as its results name it. */
    public ModelIdentity identity() {
        return identity;
    }

    public List<Result> classify(List<byte[]> images) {
        return placement == ViewPlacement.ENGINE ? viewsInEngine(images) : viewsOnHost(images);
    }

    /** Decodes and resizes in parallel; the engine makes the views. */
    private List<Result> viewsInEngine(List<byte[]> images) {
        List<Future<DecodedImage>> work = new ArrayList<>(images.size());
        for (byte[] image : images) {
            work.add(pool.submit(() -> decoder.decodeResized(image, preprocessor.resizeShorter())));
        }
        RejectedInputException[] failures = new RejectedInputException[images.size()];
        List<DecodedImage> resized = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            try {
                resized.add(await(work.get(i)));
            } catch (RejectedInputException e) {
                failures[i] = e;
            }
        }
        List<ViewAverage> averages;
        if (resized.isEmpty()) {
            averages = List.of();
        } else {
            synchronized (classifier) { // one forward pass at a time: the engine already uses every core
                averages = classifier.classifyResized(resized, preprocessor);
            }
        }
        List<Result> results = new ArrayList<>(images.size());
        int next = 0;
        for (RejectedInputException failure : failures) {
            results.add(
                    failure != null
                            ? new Result(null, failure, identity)
                            : new Result(ImageScores.of(averages.get(next++), topK), null, identity));
        }
        return results;
    }

    /** Decodes, resizes, crops and normalises in parallel, into one float batch for the model. */
    private List<Result> viewsOnHost(List<byte[]> images) {
        int views = preprocessor.views();
        int perImage = preprocessor.floatsPerImage();
        float[] batch = new float[images.size() * perImage];
        // Each image writes its views into its own slot; failures leave a hole that is squeezed out below.
        List<Future<Void>> work = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            int slot = i;
            work.add(pool.submit(() -> {
                preprocessor.writeViewsOfResized(
                        decoder.decodeResized(images.get(slot), preprocessor.resizeShorter()), batch, slot * perImage);
                return null; // the decoded pixels are garbage once their views are written
            }));
        }
        RejectedInputException[] failures = new RejectedInputException[images.size()];
        int ok = 0;
        for (int i = 0; i < images.size(); i++) {
            try {
                await(work.get(i));
                if (ok != i) {
                    System.arraycopy(batch, i * perImage, batch, ok * perImage, perImage);
                }
                ok++;
            } catch (RejectedInputException e) {
                failures[i] = e;
            }
        }
        float[][] probabilities = ok == 0 ? new float[0][] : run(batch, ok * views, ok * perImage);
        List<Result> results = new ArrayList<>(images.size());
        int row = 0;
        for (RejectedInputException failure : failures) {
            if (failure != null) {
                results.add(new Result(null, failure, identity));
            } else {
                results.add(new Result(ImageScores.average(probabilities, row, views, topK), null, identity));
                row += views;
            }
        }
        return results;
    }

    private float[][] run(float[] batch, int views, int floats) {
        float[] input = floats == batch.length ? batch : Arrays.copyOf(batch, floats);
        synchronized (classifier) { // one forward pass at a time: the engine already uses every core
            return classifier.classify(input, views);
        }
    }

    /**
     * One image's preprocessing: its result, or the reason the image cannot be classified. A decoder bug on odd
     * bytes must not fail the other images, and an image that runs out of memory drops its pixels with its frame.
     */
    private static <T> T await(Future<T> f) throws RejectedInputException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preprocessing", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RejectedInputException rejected) {
                throw rejected;
            }
            if (cause instanceof RuntimeException) {
                throw new RejectedInputException(RejectReason.UNDECODABLE, "decoding failed: " + cause, cause);
            }
            if (cause instanceof OutOfMemoryError) {
                throw new RejectedInputException(
                        RejectReason.OUT_OF_MEMORY, "out of memory decoding it: " + cause, cause);
            }
            throw new IllegalStateException("preprocessing failed", cause);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
