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
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.resnetstream.batching.internal.PendingImage;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.contracts.ByteBuffers;

/**
 * Forms one batch from the buffered images of every task on a stream thread, so a forward pass can
 * gather images from several partitions, and runs it beside the stream thread so that intake (and
 * the next batch's decoding) goes on while the model works.
 *
 * <p>The images themselves stay in each task's changelogged store until that task forwards their
 * outcome (DESIGN.md, invariant 2). What this class holds in memory is only derived from those
 * stores: which buffered images still wait for a batch, the batches in flight, and the outcomes
 * computed but not yet forwarded. All of it is a cache: lost on a crash, rebuilt from the stores on
 * restore (invariant 3). A batch still in flight when its task leaves is dropped on arrival; the
 * task's next owner classifies those images again from the store.
 *
 * <p>One instance per stream thread; only the stream thread calls it (a thread runs its tasks one at
 * a time). Batches run on its own inference threads, which touch no store.
 */
public final class BatchCoordinator {
    private final BatchClassifier classifier;
    private final int maxImages;
    private final long maxDelayMs;
    private final int maxInFlight;
    private final Executor inference;
    private final BatchListener listener;
    private final Map<TaskId, Member> members = new HashMap<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();

    /** Told about each batch, for metrics. */
    public interface BatchListener {
        void batchDone(int images, long millis);
    }

    /** A classified image waiting for its task to forward it. */
    public record Done(long offset, PendingImage image, BatchClassifier.Result result, long batchStartedAt,
            long batchMillis, int batchImages) {
    }

    private static final class Member {
        final TaskId task;
        final KeyValueStore<Long, PendingImage> store;
        /** offset → acceptedAt of buffered images not yet in a batch */
        final TreeMap<Long, Long> waiting = new TreeMap<>();
        final ArrayDeque<Done> done = new ArrayDeque<>();

        Member(TaskId task, KeyValueStore<Long, PendingImage> store) {
            this.task = task;
            this.store = store;
        }
    }

    private record Pick(Member member, long offset, PendingImage image) {
    }

    private record Outcome(List<BatchClassifier.Result> results, long startedAt, long millis) {
    }

    private record InFlight(List<Pick> picks, CompletableFuture<Outcome> outcome) {
    }

    /**
     * @param batchesInFlight batches that may run at once beside the stream thread (their decoding overlaps the
     *                        previous forward pass; forward passes themselves take turns); 0 runs each batch on the
     *                        stream thread, which then takes no input while the model works
     */
    public BatchCoordinator(BatchClassifier classifier, int maxImages, long maxDelayMs, int batchesInFlight,
            BatchListener listener) {
        if (maxImages < 1 || maxDelayMs < 0 || batchesInFlight < 0) {
            throw new IllegalArgumentException(
                    "resnet.batch.max-images must be ≥ 1, max-delay ≥ 0 and in-flight ≥ 0");
        }
        this.classifier = classifier;
        this.maxImages = maxImages;
        this.maxDelayMs = maxDelayMs;
        this.maxInFlight = Math.max(1, batchesInFlight);
        this.inference = batchesInFlight == 0 ? Runnable::run : inferenceThreads(batchesInFlight);
        this.listener = listener;
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
            all.forEachRemaining(kv -> member.waiting.put(kv.key, kv.value.getAcceptedAt()));
        }
        members.put(task, member);
    }

    /** A task's processor closes (revoked, or shutting down): forget it; its store keeps its images. */
    public void leave(TaskId task) {
        members.remove(task);
    }

    /** The task put an image into its store. */
    public void buffered(TaskId task, long offset, long acceptedAt) {
        members.get(task).waiting.put(offset, acceptedAt);
    }

    /** Images buffered and not yet in a batch. */
    public int waiting() {
        int n = 0;
        for (Member m : members.values()) {
            n += m.waiting.size();
        }
        return n;
    }

    /** Batches started and not yet collected. */
    public int inFlight() {
        return inFlight.size();
    }

    /** A batch should start now: enough images wait, or the oldest has waited long enough. */
    public boolean due(long now) {
        int waiting = 0;
        long oldest = Long.MAX_VALUE;
        for (Member m : members.values()) {
            waiting += m.waiting.size();
            for (long acceptedAt : m.waiting.values()) {
                oldest = Math.min(oldest, acceptedAt);
            }
        }
        return waiting >= maxImages || (waiting > 0 && now - oldest >= maxDelayMs);
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
                start();
                collect(false);
            }
            if (waiting() < maxImages || inFlight.isEmpty()) {
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

    /** Up to max-batch-images of the oldest waiting images, across tasks, into one batch. */
    private void start() {
        record Candidate(Member member, long offset, long acceptedAt) {
        }
        List<Candidate> candidates = new ArrayList<>();
        for (Member m : members.values()) {
            m.waiting.forEach((offset, acceptedAt) -> candidates.add(new Candidate(m, offset, acceptedAt)));
        }
        candidates.sort(Comparator.comparingLong(Candidate::acceptedAt));
        List<Pick> picks = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        for (Candidate c : candidates.subList(0, Math.min(maxImages, candidates.size()))) {
            PendingImage image = c.member.store.get(c.offset); // stores are read on the stream thread only
            c.member.waiting.remove(c.offset);
            picks.add(new Pick(c.member, c.offset, image));
            bytes.add(ByteBuffers.toArray(image.getImage()));
        }
        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> {
            long started = System.currentTimeMillis();
            List<BatchClassifier.Result> results = classifier.classify(bytes);
            return new Outcome(results, started, System.currentTimeMillis() - started);
        }, inference);
        inFlight.add(new InFlight(picks, outcome));
    }

    /** Hands finished batches, oldest first, to their tasks; with {@code block}, waits for the oldest one. */
    private void collect(boolean block) {
        boolean mayWait = block;
        while (!inFlight.isEmpty() && (mayWait || inFlight.peek().outcome.isDone())) {
            mayWait = false;
            InFlight batch = inFlight.poll();
            Outcome outcome;
            try {
                outcome = batch.outcome.join();
            } catch (CompletionException e) { // a model failure fails the stream thread, as it would inline
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            for (int i = 0; i < batch.picks.size(); i++) {
                Pick p = batch.picks.get(i);
                if (members.get(p.member.task) == p.member) { // else the task left: its store keeps the image
                    p.member.done.add(new Done(p.offset, p.image, outcome.results.get(i), outcome.startedAt,
                            outcome.millis, batch.picks.size()));
                }
            }
            listener.batchDone(batch.picks.size(), outcome.millis);
        }
    }

    /** The task's classified images, for it to forward and delete from its store. */
    public List<Done> takeDone(TaskId task) {
        Member m = members.get(task);
        List<Done> out = new ArrayList<>(m.done);
        m.done.clear();
        return out;
    }
}
