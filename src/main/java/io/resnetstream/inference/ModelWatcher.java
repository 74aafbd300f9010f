package io.resnetstream.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Watches a model directory and puts a new model into the {@link ModelSlot} when one appears there: the directory
 * re-pointed (a link flipped to another version's folder, the safe way to deploy) or its manifest or graph changed.
 * The new model is loaded beside the running one, which serves on meanwhile; a model that fails to load is
 * reported and the running one kept. A change is acted on once it has held still for one check, so that a model
 * still being copied into place is not loaded half-written.
 */
public final class ModelWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelWatcher.class);

    /** Builds the batch classifier for the model in a directory (loading it is the slow part). */
    @FunctionalInterface
    public interface Loader {
        BatchClassifier load(Path dir) throws IOException;
    }

    /** Told what the watcher did, for metrics. */
    public interface Listener {
        void switched(BatchClassifier.ModelIdentity from, BatchClassifier.ModelIdentity to);

        void loadFailed(Path dir, Exception why);
    }

    /** What identifies the directory's content cheaply: where it really is, and its manifest's and graph's bytes. */
    record Signature(Path realPath, String manifestSha256, long graphBytes, long graphModified) {}

    private final Path dir;
    private final ModelSlot slot;
    private final Loader loader;
    private final Listener listener;
    private ScheduledExecutorService timer;

    private Signature served;
    private Signature seen;
    private Signature failed;

    public ModelWatcher(Path dir, ModelSlot slot, Loader loader, Listener listener) throws IOException {
        this.dir = dir;
        this.slot = slot;
        this.loader = loader;
        this.listener = listener;
        this.served = signature(dir);
        this.seen = served;
    }

    /** Checks every {@code interval} on a thread of its own until closed. */
    public synchronized ModelWatcher start(Duration interval) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "model-watcher");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(this::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warnf(e, "checking the model directory %s failed", dir);
        }
    }

    /**
     * One look at the directory: switches to its model when it differs from the one served and has not changed
     * since the previous look.
     *
     * @return whether the slot now holds a new model
     */
    public synchronized boolean check() {
        Signature now;
        try {
            now = signature(dir);
        } catch (IOException e) {
            LOG.debugf("model directory %s unreadable for now: %s", dir, e.getMessage());
            return false; // mid-deploy (a link being flipped, files being copied): look again next time
        }
        Signature previous = seen;
        seen = now;
        if (now.equals(served) || now.equals(failed) || !now.equals(previous)) {
            return false;
        }
        BatchClassifier next;
        long startNanos = System.nanoTime();
        try {
            next = loader.load(dir);
        } catch (IOException | RuntimeException e) {
            failed = now;
            LOG.errorf(
                    "the new model in %s (%s) did not load; the running model serves on: %s",
                    dir, now.realPath(), e.getMessage());
            listener.loadFailed(dir, e);
            return false;
        }
        BatchClassifier.ModelIdentity from = slot.current().identity();
        slot.replace(next);
        served = now;
        LOG.infof(
                "model switched from %s %s (sha256 %s) to %s %s (sha256 %s), from %s, loaded in %d ms",
                from.manifest().name(),
                from.manifest().version(),
                from.manifest().digest(),
                next.identity().manifest().name(),
                next.identity().manifest().version(),
                next.identity().manifest().digest(),
                now.realPath(),
                (System.nanoTime() - startNanos) / 1_000_000);
        listener.switched(from, next.identity());
        return true;
    }

    static Signature signature(Path dir) throws IOException {
        Path real = dir.toRealPath();
        Path manifest = real.resolve(ModelManifest.FILE_NAME);
        String manifestSha = Files.isRegularFile(manifest) ? sha256(Files.readAllBytes(manifest)) : "";
        BasicFileAttributes graph = Files.readAttributes(
                real.resolve("saved_model.pb"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new Signature(
                real, manifestSha, graph.size(), graph.lastModifiedTime().toMillis());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
