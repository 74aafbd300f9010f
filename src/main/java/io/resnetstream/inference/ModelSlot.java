package io.resnetstream.inference;

import java.util.List;

import org.jboss.logging.Logger;

/**
 * The model batches run on, replaceable while the stream runs. A batch takes the model that is current when it
 * starts and keeps it to its end, so the switch falls on a batch boundary: no image is classified by half of one
 * model and half of another, and each result names the model that made it. A replaced model is closed once the last
 * batch that took it is done.
 */
public final class ModelSlot implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelSlot.class);

    private final Object lock = new Object();
    private Served current;
    private boolean closed;

    /** A model and the batches running on it; closed when replaced and no batch runs on it any more. */
    private static final class Served {
        final BatchClassifier model;
        int batches;
        boolean retired;

        Served(BatchClassifier model) {
            this.model = model;
        }
    }

    public ModelSlot(BatchClassifier first) {
        this.current = new Served(first);
    }

    /** The model a batch starting now would run on. */
    public BatchClassifier current() {
        synchronized (lock) {
            return current.model;
        }
    }

    /** Classifies one batch on the current model, which stays open until the batch is done. */
    public List<BatchClassifier.Result> classify(List<byte[]> images) {
        Served served;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the model slot is closed");
            }
            served = current;
            served.batches++;
        }
        try {
            return served.model.classify(images);
        } finally {
            release(served);
        }
    }

    /**
     * Makes {@code next} the model of every batch that starts from now on. The one it replaces is closed (model
     * included) once its running batches are done.
     */
    public void replace(BatchClassifier next) {
        Served old;
        synchronized (lock) {
            if (closed) {
                closeModel(next);
                throw new IllegalStateException("the model slot is closed");
            }
            old = current;
            current = new Served(next);
            old.retired = true;
            if (old.batches > 0) {
                return; // the last of its batches closes it
            }
        }
        closeModel(old.model);
    }

    private void release(Served served) {
        boolean close;
        synchronized (lock) {
            served.batches--;
            close = served.retired && served.batches == 0;
        }
        if (close) {
            closeModel(served.model);
        }
    }

    private static void closeModel(BatchClassifier model) {
        BatchClassifier.ModelIdentity id = model.identity();
        try {
            model.close();
            model.classifier().close();
        } catch (RuntimeException e) {
            LOG.warnf(
                    e,
                    "closing model %s %s failed",
                    id.manifest().name(),
                    id.manifest().version());
        }
    }

    /** Closes the current model; batches still running on it finish first. */
    @Override
    public void close() {
        Served last;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            last = current;
            last.retired = true;
            if (last.batches > 0) {
                return;
            }
        }
        closeModel(last.model);
    }
}
