package io.resnetstream.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import io.resnetstream.batching.internal.PendingImage;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.ModelSlot;
import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

/**
 * Forms one batch from the buffered images of every task on a stream thread, so a forward pass can
 * gather images from several partitions, and runs it beside the stream thread so that intake (and
 * the next batch's decoding) goes on while the model works.
 *
 * <p>A reference to each image stays in its task's changelogged store until that task forwards its
 * outcome (docs/design.md, invariant 2); the image's bytes are not in the store. What this class holds in
 * memory is a cache beside those stores: each waiting image's {@link ImageSource} (its bytes, for an inline
 * image), the batches in flight, and the outcomes computed but not yet forwarded. All of it is lost on a crash
 * and rebuilt from the stores on restore (invariant 3): a restored reference's bytes are read again from the
 * input topic when its batch is prepared. A batch still in flight when its task leaves is dropped on arrival;
 * the task's next owner classifies those images again from their references.
 *
 * <p>Preparing a batch (off the stream thread) gets every image's bytes: from memory, or through its source's
 * I/O (a URI fetch, a read of the input topic) on at most {@code fetchThreads} fetch threads at once. An image
 * whose bytes cannot be had is that image's dead letter; its batch-mates go on.
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
    private final ExecutorService fetching;
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
     * @param bytes the encoded image the batch had, for a dead letter's payload; null if it could not be had
     * @param shadow what the shadow model made of it; null without a shadow model, or when the shadow failed
     */
    public record Done(
            long offset,
            PendingImage image,
            byte[] bytes,
            BatchClassifier.Result result,
            long batchStartedAt,
            long batchMillis,
            int batchImages,
            BatchClassifier.Result shadow) {
        public Done(
                long offset,
                PendingImage image,
                byte[] bytes,
                BatchClassifier.Result result,
                long batchStartedAt,
                long batchMillis,
                int batchImages) {
            this(offset, image, bytes, result, batchStartedAt, batchMillis, batchImages, null);
        }
    }

    private static final class Member {
        final TaskId task;
        final KeyValueStore<Long, PendingImage> store;
        /** offset → buffered images not yet in a batch, with where their bytes are */
        final TreeMap<Long, Waiting> waiting = new TreeMap<>();

        final ArrayDeque<Done> done = new ArrayDeque<>();

        Member(TaskId task, KeyValueStore<Long, PendingImage> store) {
            this.task = task;
            this.store = store;
        }
    }

    /** @param bytes the encoded image's size as far as known (0 for a URI not yet fetched): what the byte budget counts */
    private record Waiting(long acceptedAt, int bytes, ImageSource source) {}

    private record Pick(Member member, long offset, PendingImage image, Waiting waiting) {}

    /**
     * @param shadow the shadow model's results (null where an image had no bytes), or null without a shadow
     * @param images each pick's bytes, null where its source failed
     */
    private record Outcome(
            List<BatchClassifier.Result> results,
            List<BatchClassifier.Result> shadow,
            List<byte[]> images,
            long startedAt,
            long millis) {}

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
        this(
                classifier,
                maxImages,
                Long.MAX_VALUE,
                maxDelayMs,
                batchesInFlight,
                listener,
                Quarantine.inMemory(),
                DEFAULT_FETCH_THREADS);
    }

    /** Fetch threads per stream thread unless configured (resnet.fetch.parallelism). */
    public static final int DEFAULT_FETCH_THREADS = 8;

    /**
     * @param maxBytes encoded bytes a batch may hold, and the bytes of waiting images at which a batch is due and the
     *                 stream thread waits for the model: with {@code maxImages}, what bounds the images in memory
     *                 to about {@code (batchesInFlight + 1) × maxBytes} (a URI's image counts once fetched, in its
     *                 batch; {@code maxImages} and the image size limit bound those)
     * @param fetchThreads sources read at once while batches are prepared (URI fetches, input re-reads)
     */
    public BatchCoordinator(
            BatchClassifier classifier,
            int maxImages,
            long maxBytes,
            long maxDelayMs,
            int batchesInFlight,
            BatchListener listener,
            Quarantine quarantine,
            int fetchThreads) {
        this(
                new ModelSlot(classifier),
                null,
                maxImages,
                maxBytes,
                maxDelayMs,
                batchesInFlight,
                listener,
                quarantine,
                fetchThreads);
    }

    /**
     * @param models the model batches run on, replaceable while the stream runs
     * @param shadow a candidate model that classifies every batch too, never affecting its outcomes; or null
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
            int fetchThreads) {
        this(
                models,
                shadow,
                maxImages,
                maxBytes,
                maxDelayMs,
                batchesInFlight,
                listener,
                quarantine,
                fetchThreads,
                BatchTracing.NONE);
    }

    /** @param tracing stands around each batch's run (preparing it included), on the thread that runs it */
    public BatchCoordinator(
            ModelSlot models,
            ModelSlot shadow,
            int maxImages,
            long maxBytes,
            long maxDelayMs,
            int batchesInFlight,
            BatchListener listener,
            Quarantine quarantine,
            int fetchThreads,
            BatchTracing tracing) {
        if (maxImages < 1 || maxBytes < 1 || maxDelayMs < 0 || batchesInFlight < 0 || fetchThreads < 1) {
            throw new IllegalArgumentException(
                    "resnet.batch.max-images, max-bytes and resnet.fetch.parallelism must be ≥ 1, max-delay and in-flight ≥ 0");
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
        this.fetching = threads(fetchThreads, "fetch");
        this.tracing = tracing;
    }

    private static ThreadPoolExecutor inferenceThreads(int n) {
        return threads(n, "inference");
    }

    /** Idle threads end, so a coordinator whose stream thread is gone leaves no thread behind. */
    private static ThreadPoolExecutor threads(int n, String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * A task's processor starts: whatever its store holds (restored after a crash or a rebalance) waits for a batch,
     * its bytes to be read again through {@code restorer} when the batch is prepared.
     */
    public void join(TaskId task, KeyValueStore<Long, PendingImage> store, ImageSource.Restorer restorer) {
        Member member = new Member(task, store);
        try (KeyValueIterator<Long, PendingImage> all = store.all()) {
            all.forEachRemaining(kv -> member.waiting.put(
                    kv.key,
                    new Waiting(kv.value.getAcceptedAt(), kv.value.getImageBytes(), restorer.restore(kv.value))));
        }
        members.put(task, member);
    }

    /** A task's processor closes (revoked, or shutting down): forget it; its store keeps its images. */
    public void leave(TaskId task) {
        members.remove(task);
    }

    /**
     * The task put an image's reference into its store.
     *
     * @param bytes the image's size as far as known: what the byte budget counts
     */
    public void buffered(TaskId task, long offset, long acceptedAt, int bytes, ImageSource source) {
        members.get(task).waiting.put(offset, new Waiting(acceptedAt, bytes, source));
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
                c.member.done.add(new Done(c.offset, image, null, poison(attempts), now, 0, 0));
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
            picks.add(new Pick(c.member, c.offset, image, c.waiting));
            bytes += c.waiting.bytes();
            if (alone || picks.size() == maxImages) {
                break;
            }
        }
        if (picks.isEmpty()) {
            return;
        }
        quarantine.attempts().starting(picks.stream().map(p -> refOf(p.image)).toList());
        List<ImageSource> sources = picks.stream().map(p -> p.waiting.source()).toList();
        List<String> traceparents =
                picks.stream().map(p -> p.image.getTraceparent()).toList(); // toList() keeps nulls
        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(
                () -> tracing.around(traceparents, () -> {
                    long startNanos = System.nanoTime();
                    List<byte[]> images = new ArrayList<>(sources.size());
                    List<RejectedInputException> failures = new ArrayList<>(sources.size());
                    prepare(sources, images, failures);
                    List<byte[]> present =
                            images.stream().filter(i -> i != null).toList();
                    List<BatchClassifier.Result> classified = models.classify(present);
                    long millis = (System.nanoTime() - startNanos) / 1_000_000;
                    List<BatchClassifier.Result> shadowed = shadowResults(present);
                    List<BatchClassifier.Result> results = new ArrayList<>(sources.size());
                    List<BatchClassifier.Result> shadowResults = shadowed == null ? null : new ArrayList<>();
                    int next = 0;
                    for (int i = 0; i < sources.size(); i++) {
                        if (images.get(i) == null) {
                            results.add(new BatchClassifier.Result(null, failures.get(i)));
                            if (shadowResults != null) {
                                shadowResults.add(null);
                            }
                        } else {
                            results.add(classified.get(next));
                            if (shadowResults != null) {
                                shadowResults.add(shadowed.get(next));
                            }
                            next++;
                        }
                    }
                    return new Outcome(results, shadowResults, images, now, millis);
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

    /**
     * Every image's bytes, in order: those in memory at once, the others (URI fetches, re-reads of the input topic)
     * on the fetch threads, in parallel. Fills {@code images} (null where the source failed) and {@code failures}.
     */
    private void prepare(List<ImageSource> sources, List<byte[]> images, List<RejectedInputException> failures) {
        List<Future<byte[]>> reads = new ArrayList<>(sources.size());
        for (ImageSource source : sources) {
            reads.add(source.inMemory() ? null : fetching.submit(source::bytes));
        }
        for (int i = 0; i < sources.size(); i++) {
            byte[] image = null;
            RejectedInputException failure = null;
            try {
                image = reads.get(i) == null
                        ? sources.get(i).bytes()
                        : reads.get(i).get();
            } catch (RejectedInputException e) {
                failure = e;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RejectedInputException r) {
                    failure = r;
                } else if (e.getCause() instanceof RuntimeException r) {
                    throw new SourceUnavailable(r); // the world's fault: the batch fails, its images are read again
                } else if (e.getCause() instanceof Error err) {
                    throw err;
                } else {
                    throw new CompletionException(e.getCause());
                }
            } catch (InterruptedException e) {
                reads.forEach(r -> {
                    if (r != null) {
                        r.cancel(true);
                    }
                });
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while preparing a batch", e);
            }
            images.add(image);
            failures.add(failure);
        }
    }

    /** The world's fault (broker, registry) while the bytes of a batch's images were read. */
    private static final class SourceUnavailable extends RuntimeException {
        SourceUnavailable(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
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
     * Hands every finished batch to its tasks, whatever its place (a batch waiting on a slow fetch holds back only
     * its own images), and abandons those past the batch deadline; with {@code block}, when none had finished, waits
     * for whichever finishes first, up to the oldest one's deadline.
     */
    private void collect(boolean block) {
        boolean collected = false;
        for (Iterator<InFlight> it = inFlight.iterator(); it.hasNext(); ) {
            InFlight batch = it.next();
            if (batch.outcome.isDone()) {
                it.remove();
                Outcome outcome;
                try {
                    outcome = await(batch);
                } catch (SourceUnavailable e) {
                    // the batch never reached the model: no attempt is held against its images (no POISON for an
                    // outage of the broker or the registry)
                    batch.picks.forEach(p -> quarantine.attempts().finished(refOf(p.image)));
                    throw e.getCause();
                }
                hand(batch, outcome);
                collected = true;
            } else if (overdue(batch)) {
                it.remove();
                abandon(batch);
                collected = true;
            }
        }
        if (block && !collected && !inFlight.isEmpty()) {
            awaitAny();
            collect(false);
        }
    }

    /** Waits until a batch in flight finishes (its outcome or failure is collected after), or the oldest is due. */
    private void awaitAny() {
        long leftNanos = TimeUnit.MILLISECONDS.toNanos(quarantine.deadlineMs())
                - (System.nanoTime() - inFlight.peek().startedNanos);
        CompletableFuture<?>[] outcomes =
                inFlight.stream().map(InFlight::outcome).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.anyOf(outcomes).get(Math.max(0, leftNanos) + 1_000_000, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // past the deadline (abandoned by collect), or a failure (rethrown by collect)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        }
    }

    private void hand(InFlight batch, Outcome outcome) {
        for (int i = 0; i < batch.picks.size(); i++) {
            Pick p = batch.picks.get(i);
            quarantine.attempts().finished(refOf(p.image)); // it ran through: whatever came before, no poison
            if (members.get(p.member.task) == p.member) { // else the task left: its store keeps the reference
                p.member.done.add(new Done(
                        p.offset,
                        p.image,
                        outcome.images.get(i),
                        outcome.results.get(i),
                        outcome.startedAt,
                        outcome.millis,
                        batch.picks.size(),
                        outcome.shadow == null ? null : outcome.shadow.get(i)));
            }
        }
        listener.batchDone(batch.picks.size(), outcome.millis);
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
                p.member.waiting.put(p.offset, p.waiting);
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
