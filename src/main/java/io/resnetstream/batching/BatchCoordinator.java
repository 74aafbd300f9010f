package io.resnetstream.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import io.resnetstream.batching.internal.PendingImage;
import io.resnetstream.contracts.ByteBuffers;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.ModelSlot;
import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

/**
 * Forms one batch from the buffered images of every task on a stream thread, so a forward pass can
 * gather images from several partitions, and runs it beside the stream thread so that intake (and
 * the next batch's decoding) goes on while the model works.
 *
 * <p>The images themselves stay in each task's changelogged store until that task forwards their
 * outcome (docs/design.md, invariant 2). What this class holds in memory is only derived from those
 * stores: which buffered images still wait for a batch, the batches in flight, and the outcomes
 * computed but not yet forwarded. All of it is a cache: lost on a crash, rebuilt from the stores on
 * restore (invariant 3). A batch still in flight when its task leaves is dropped on arrival; the
 * task's next owner classifies those images again from the store.
 *
 * <p>One instance per stream thread; only the stream thread calls it (a thread runs its tasks one at
 * a time). Batches run on its own inference threads, which touch no store.
 */
public final class BatchCoordinator {
    private static final Logger LOG = Logger.getLogger(BatchCoordinator.class);

    private final ModelSlot models;
    /** The candidate model in shadow mode, classifying the same batches; null when there is none. */
    private final ModelSlot shadow;

    private final int maxImages;
    private final long maxBytes;
    private final long maxDelayMs;
    private final int maxInFlight;
    private final int inferenceThreads;
    private Executor inference;
    private final BatchListener listener;
    private final Quarantine quarantine;
    private final BatchTracing tracing;
    private final Map<TaskId, Member> members = new HashMap<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();

    /** Told about each batch, for metrics. */
    public interface BatchListener {
        void batchDone(int images, long millis);

        /** A batch ran past its deadline and was given up. */
        default void batchAbandoned(int images) {}

        /** The shadow model failed on a batch; its main outcomes were not affected. */
        default void shadowFailed(int images) {}
    }

    /**
     * A classified image waiting for its task to forward it.
     *
     * @param shadow what the shadow model made of it; null without a shadow model, or when the shadow failed
     */
    public record Done(
            long offset,
            PendingImage image,
            BatchClassifier.Result result,
            long batchStartedAt,
            long batchMillis,
            int batchImages,
            BatchClassifier.Result shadow) {
        public Done(
                long offset,
                PendingImage image,
                BatchClassifier.Result result,
                long batchStartedAt,
                long batchMillis,
                int batchImages) {
            this(offset, image, result, batchStartedAt, batchMillis, batchImages, null);
        }
    }

    private static final class Member {
        final TaskId task;
        final KeyValueStore<Long, PendingImage> store;
        /** offset → buffered images not yet in a batch */
        final TreeMap<Long, Waiting> waiting = new TreeMap<>();

        final ArrayDeque<Done> done = new ArrayDeque<>();

        Member(TaskId task, KeyValueStore<Long, PendingImage> store) {
            this.task = task;
            this.store = store;
        }
    }

    /** @param bytes the encoded image's size: what the byte budget counts */
    private record Waiting(long acceptedAt, int bytes) {}

    private record Pick(Member member, long offset, PendingImage image) {}

    /** @param shadow the shadow model's results, or null */
    private record Outcome(
            List<BatchClassifier.Result> results, List<BatchClassifier.Result> shadow, long startedAt, long millis) {}

    private record InFlight(List<Pick> picks, CompletableFuture<Outcome> outcome, long startedNanos) {}

    /**
     * What keeps one image from stopping the stream: a batch that runs past {@code deadlineMs} is abandoned, and an
     * image that went into {@code maxAttempts} batches that never finished (crash, hang, out of memory) is
     * dead-lettered as POISON instead of run again. An image with a failed attempt runs alone, so that the culprit,
     * not its batch-mates, is the one quarantined.
     */
    public record Quarantine(AttemptLog attempts, int maxAttempts, long deadlineMs) {
        public static final int DEFAULT_MAX_ATTEMPTS = 2;
        /** Well inside the transaction timeout (120 s) and the poll interval (300 s) of application.properties. */
        public static final long DEFAULT_DEADLINE_MS = 60_000;

        public Quarantine {
            if (maxAttempts < 1 || deadlineMs < 1) {
                throw new IllegalArgumentException("max attempts and the batch deadline must be positive");
            }
        }

        /** The defaults, counting in memory only (a crash forgets the counts): tests and tools. */
        public static Quarantine inMemory() {
            return new Quarantine(AttemptLog.inMemory(), DEFAULT_MAX_ATTEMPTS, DEFAULT_DEADLINE_MS);
        }
    }

    /**
     * @param batchesInFlight batches that may run at once beside the stream thread (their decoding overlaps the
     *                        previous forward pass; forward passes themselves take turns); 0 runs each batch on the
     *                        stream thread, which then takes no input while the model works
     */
    public BatchCoordinator(
            BatchClassifier classifier, int maxImages, long maxDelayMs, int batchesInFlight, BatchListener listener) {
        this(classifier, maxImages, Long.MAX_VALUE, maxDelayMs, batchesInFlight, listener, Quarantine.inMemory());
    }

    /**
     * @param maxBytes encoded bytes a batch may hold, and the bytes of waiting images at which a batch is due and the
     *                 stream thread waits for the model: with {@code maxImages}, what bounds the images in memory
     *                 to about {@code (batchesInFlight + 1) × maxBytes}
     */
    public BatchCoordinator(
            BatchClassifier classifier,
            int maxImages,
            long maxBytes,
            long maxDelayMs,
            int batchesInFlight,
            BatchListener listener,
            Quarantine quarantine) {
        this(
                new ModelSlot(classifier),
                null,
                maxImages,
                maxBytes,
                maxDelayMs,
                batchesInFlight,
                listener,
                quarantine,
                BatchTracing.NONE);
    }

    /**
     * @param models  the model batches run on, replaceable while the stream runs
     * @param shadow  a candidate model that classifies every batch too, never affecting its outcomes; or null
     * @param tracing stands around each batch's run, on the thread that runs it
     */
    public BatchCoordinator(
            ModelSlot models,
            ModelSlot shadow,
            int maxImages,
            long maxBytes,
            long maxDelayMs,
            int batchesInFlight,
            BatchListener listener,
            Quarantine quarantine,
            BatchTracing tracing) {
        if (maxImages < 1 || maxBytes < 1 || maxDelayMs < 0 || batchesInFlight < 0) {
            throw new IllegalArgumentException(
                    "resnet.batch.max-images and max-bytes must be ≥ 1, max-delay and in-flight ≥ 0");
        }
        this.models = models;
        this.shadow = shadow;
        this.maxImages = maxImages;
        this.maxBytes = maxBytes;
        this.maxDelayMs = maxDelayMs;
        this.maxInFlight = Math.max(1, batchesInFlight);
        this.inferenceThreads = batchesInFlight;
        this.inference = batchesInFlight == 0 ? Runnable::run : inferenceThreads(batchesInFlight);
        this.listener = listener;
        this.quarantine = quarantine;
        this.tracing = tracing;
    }

    /** Idle threads end, so a coordinator whose stream thread is gone leaves no thread behind. */
    private static Executor inferenceThreads(int n) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "inference");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** A task's processor starts: whatever its store holds (restored after a crash) waits for a batch. */
    public void join(TaskId task, KeyValueStore<Long, PendingImage> store) {
        Member member = new Member(task, store);
        try (KeyValueIterator<Long, PendingImage> all = store.all()) {
            all.forEachRemaining(kv -> member.waiting.put(
                    kv.key,
                    new Waiting(kv.value.getAcceptedAt(), kv.value.getImage().remaining())));
        }
        members.put(task, member);
    }

    /** A task's processor closes (revoked, or shutting down): forget it; its store keeps its images. */
    public void leave(TaskId task) {
        members.remove(task);
    }

    /** The task put an image into its store. */
    public void buffered(TaskId task, long offset, long acceptedAt, int bytes) {
        members.get(task).waiting.put(offset, new Waiting(acceptedAt, bytes));
    }

    /** Images buffered and not yet in a batch. */
    public int waiting() {
        int n = 0;
        for (Member m : members.values()) {
            n += m.waiting.size();
        }
        return n;
    }

    /** Encoded bytes of the images buffered and not yet in a batch. */
    public long waitingBytes() {
        long n = 0;
        for (Member m : members.values()) {
            for (Waiting w : m.waiting.values()) {
                n += w.bytes();
            }
        }
        return n;
    }

    /** Batches started and not yet collected. */
    public int inFlight() {
        return inFlight.size();
    }

    /**
     * A batch should start now: a full one waits, the model is idle and an image waits, or the oldest image has waited
     * long enough.
     */
    public boolean due(long now) {
        if (full() || (idle() && waiting() > 0)) {
            return true;
        }
        for (Member m : members.values()) {
            for (Waiting w : m.waiting.values()) {
                if (now - w.acceptedAt() >= maxDelayMs) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * No batch runs beside the stream thread, so waiting would only add the delay to the image's latency: eager when
     * idle, batched when busy (images that arrive while a batch runs gather into the next one, which starts when that
     * batch is collected), as Triton's dynamic batcher does with no queue delay. Not with batches on the stream thread
     * (in-flight 0): there every record would run alone, since a processor is handed one record at a time.
     */
    private boolean idle() {
        return inferenceThreads > 0 && inFlight.isEmpty();
    }

    /** Enough images, or enough of their bytes, wait for a whole batch. */
    private boolean full() {
        return waiting() >= maxImages || waitingBytes() >= maxBytes;
    }

    /**
     * Collects the batches that finished, starts the due ones as far as the in-flight limit allows, and, when a full
     * batch waits but cannot start, waits for the oldest batch: that back-pressure keeps the buffer to about a batch
     * beyond those in flight, and the stream thread from reading faster than the model classifies.
     */
    public void advance(long now) {
        collect(false);
        while (true) {
            while (inFlight.size() < maxInFlight && due(now)) {
                start(now);
                collect(false);
            }
            if (!full() || inFlight.isEmpty()) {
                return;
            }
            collect(true);
        }
    }

    /** Blocks until every batch in flight has finished and been collected (tests, orderly shutdown). */
    public void awaitInFlight() {
        while (!inFlight.isEmpty()) {
            collect(true);
        }
    }

    /**
     * Up to max-images of the oldest waiting images, within max-bytes, across tasks, into one batch; an image with a failed
     * attempt alone; an image out of attempts to its task as POISON, without running.
     *
     * @param now the caller's clock: the batch's start, comparable with the images' accepted-at times
     */
    private void start(long now) {
        record Candidate(Member member, long offset, Waiting waiting) {}
        List<Candidate> candidates = new ArrayList<>();
        for (Member m : members.values()) {
            m.waiting.forEach((offset, waiting) -> candidates.add(new Candidate(m, offset, waiting)));
        }
        candidates.sort(Comparator.comparingLong(c -> c.waiting().acceptedAt()));
        List<Pick> picks = new ArrayList<>();
        long bytes = 0;
        for (Candidate c : candidates) {
            PendingImage image = c.member.store.get(c.offset); // stores are read on the stream thread only
            int attempts = quarantine.attempts().attempts(refOf(image));
            if (attempts >= quarantine.maxAttempts()) {
                LOG.warnf(
                        "image %s (%s/%d/%d) went into %d batches that never finished: dead-lettered as POISON",
                        image.getImageId(), image.getTopic(), image.getPartition(), image.getOffset(), attempts);
                c.member.waiting.remove(c.offset);
                c.member.done.add(new Done(c.offset, image, poison(attempts), now, 0, 0));
                continue;
            }
            boolean alone = attempts > 0;
            if (alone && !picks.isEmpty()) {
                continue; // it runs in a batch of its own, later
            }
            if (!picks.isEmpty() && bytes + c.waiting.bytes() > maxBytes) {
                break; // the byte budget is full; the first image always goes, however large
            }
            c.member.waiting.remove(c.offset);
            picks.add(new Pick(c.member, c.offset, image));
            bytes += c.waiting.bytes();
            if (alone || picks.size() == maxImages) {
                break;
            }
        }
        if (picks.isEmpty()) {
            return;
        }
        quarantine.attempts().starting(picks.stream().map(p -> refOf(p.image)).toList());
        List<byte[]> encoded =
                picks.stream().map(p -> ByteBuffers.toArray(p.image.getImage())).toList();
        List<String> traceparents =
                picks.stream().map(p -> p.image.getTraceparent()).toList(); // toList() keeps nulls
        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(
                () -> tracing.around(traceparents, () -> {
                    long startNanos = System.nanoTime();
                    List<BatchClassifier.Result> results = models.classify(encoded);
                    long millis = (System.nanoTime() - startNanos) / 1_000_000;
                    return new Outcome(results, shadowResults(encoded), now, millis);
                }),
                inference);
        inFlight.add(new InFlight(picks, outcome, System.nanoTime()));
    }

    /** The shadow model's view of the batch; its failure is logged and costs the main outcomes nothing. */
    private List<BatchClassifier.Result> shadowResults(List<byte[]> encoded) {
        if (shadow == null) {
            return null;
        }
        try {
            return shadow.classify(encoded);
        } catch (RuntimeException e) {
            LOG.warnf(
                    e,
                    "the shadow model failed on a batch of %d image(s); the batch's outcomes go on without it",
                    encoded.size());
            listener.shadowFailed(encoded.size());
            return null;
        }
    }

    private static AttemptLog.ImageRef refOf(PendingImage image) {
        return new AttemptLog.ImageRef(image.getTopic(), image.getPartition(), image.getOffset());
    }

    private static BatchClassifier.Result poison(int attempts) {
        return new BatchClassifier.Result(
                null,
                new RejectedInputException(
                        RejectReason.POISON,
                        "in " + attempts
                                + " batches that never finished (the process crashed, hung or ran out of memory meanwhile)"));
    }

    /**
     * Hands finished batches, oldest first, to their tasks; with {@code block}, waits for the oldest one, up to the
     * batch deadline. A batch past its deadline is abandoned.
     */
    private void collect(boolean block) {
        boolean mayWait = block;
        while (!inFlight.isEmpty()) {
            InFlight batch = inFlight.peek();
            Outcome outcome = mayWait || batch.outcome.isDone() ? await(batch) : null;
            if (outcome == null) {
                if (overdue(batch)) {
                    abandon(inFlight.poll());
                    continue;
                }
                return;
            }
            inFlight.poll();
            mayWait = false;
            for (int i = 0; i < batch.picks.size(); i++) {
                Pick p = batch.picks.get(i);
                quarantine.attempts().finished(refOf(p.image)); // it ran through: whatever came before, no poison
                if (members.get(p.member.task) == p.member) { // else the task left: its store keeps the image
                    p.member.done.add(new Done(
                            p.offset,
                            p.image,
                            outcome.results.get(i),
                            outcome.startedAt,
                            outcome.millis,
                            batch.picks.size(),
                            outcome.shadow == null ? null : outcome.shadow.get(i)));
                }
            }
            listener.batchDone(batch.picks.size(), outcome.millis);
        }
    }

    /** The batch's outcome, or null once its deadline has passed without one. */
    private Outcome await(InFlight batch) {
        long leftNanos =
                TimeUnit.MILLISECONDS.toNanos(quarantine.deadlineMs()) - (System.nanoTime() - batch.startedNanos);
        try {
            return batch.outcome.get(Math.max(0, leftNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) { // a model failure fails the stream thread, as it would inline
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new CompletionException(e.getCause());
        }
    }

    private boolean overdue(InFlight batch) {
        return System.nanoTime() - batch.startedNanos > TimeUnit.MILLISECONDS.toNanos(quarantine.deadlineMs());
    }

    /**
     * A batch past its deadline: its images wait again (each now with a failed attempt, so each runs alone next), its
     * late outcome is ignored, and later batches run on fresh threads, since the hung one cannot be stopped.
     */
    private void abandon(InFlight batch) {
        LOG.warnf(
                "a batch of %d image(s) ran past its deadline of %d ms; abandoned, its images run again alone",
                batch.picks.size(), quarantine.deadlineMs());
        for (Pick p : batch.picks) {
            if (members.get(p.member.task) == p.member) {
                p.member.waiting.put(
                        p.offset,
                        new Waiting(p.image.getAcceptedAt(), p.image.getImage().remaining()));
            }
        }
        if (inference instanceof ThreadPoolExecutor pool) {
            pool.shutdownNow(); // interrupts what can be interrupted; a thread stuck in native code ends with it
            inference = inferenceThreads(inferenceThreads);
        }
        listener.batchAbandoned(batch.picks.size());
    }

    /** The task's classified images, for it to forward and delete from its store. */
    public List<Done> takeDone(TaskId task) {
        Member m = members.get(task);
        List<Done> out = new ArrayList<>(m.done);
        m.done.clear();
        out.forEach(done -> quarantine.attempts().finished(refOf(done.image())));
        return out;
    }
}
