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
 * Classifies a batch of encoded images in one forward pass: decodes and crops them in parallel, runs
 * all their views through the model at once, and averages each image's views. An image that fails
 * to decode gets its own failure; it never fails the batch. A model failure throws.
 */
public final class BatchClassifier implements AutoCloseable {
    private final Classifier classifier;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final int topK;
    private final ExecutorService pool;
    private final ModelIdentity identity;

    public BatchClassifier(
            Classifier classifier, ImageDecoder decoder, Preprocessor preprocessor, int topK, int threads) {
        this.classifier = classifier;
        this.decoder = decoder;
        this.preprocessor = preprocessor;
        this.topK = topK;
        this.identity = new ModelIdentity(classifier.manifest(), List.copyOf(classifier.labels()));
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
        int views = preprocessor.views();
        int perImage = preprocessor.floatsPerImage();
        float[] batch = new float[images.size() * perImage];
        // Each image writes its views into its own slot; failures leave a hole that is squeezed out below.
        List<Future<RejectedInputException>> work = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            int slot = i;
            work.add(pool.submit(() -> {
                try {
                    DecodedImage decoded = decoder.decode(images.get(slot));
                    preprocessor.writeViews(decoded, batch, slot * perImage);
                    return null;
                } catch (RejectedInputException e) {
                    return e;
                } catch (RuntimeException e) { // a decoder bug on odd bytes must not fail the other images
                    return new RejectedInputException(RejectReason.UNDECODABLE, "decoding failed: " + e, e);
                } catch (OutOfMemoryError e) { // this image's pixels are dropped with its frame: the others go on
                    return new RejectedInputException(RejectReason.OUT_OF_MEMORY, "out of memory decoding it: " + e, e);
                }
            }));
        }
        RejectedInputException[] failures = new RejectedInputException[images.size()];
        int ok = 0;
        for (int i = 0; i < images.size(); i++) {
            failures[i] = await(work.get(i));
            if (failures[i] == null) {
                if (ok != i) {
                    System.arraycopy(batch, i * perImage, batch, ok * perImage, perImage);
                }
                ok++;
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

    private static RejectedInputException await(Future<RejectedInputException> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preprocessing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("preprocessing failed", e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
