package io.resnetstream.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.resnetstream.batching.internal.BufferedImage;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.ingest.ByteBuffers;

/**
 * Forms one batch from the buffered images of every task on a stream thread, so a forward pass can
 * gather images from several partitions.
 *
 * <p>The images themselves stay in each task's changelogged store until that task forwards their
 * outcome (DESIGN.md, invariant 2). What this class holds in memory is only derived from those
 * stores: which buffered images still wait for a batch, and the outcomes computed but not yet
 * forwarded. Both are a cache: lost on a crash, rebuilt from the stores on restore (invariant 3).
 *
 * <p>One instance per stream thread; not thread-safe, and it needs not be: a thread runs its
 * tasks one at a time.
 */
public final class BatchCoordinator {
    private final BatchClassifier classifier;
    private final int maxImages;
    private final long maxDelayMs;
    private final BatchListener listener;
    private final Map<TaskId, Member> members = new HashMap<>();

    /** Told about each batch, for metrics. */
    public interface BatchListener {
        void batchDone(int images, long millis);
    }

    /** A classified image waiting for its task to forward it. */
    public record Done(long offset, BufferedImage image, BatchClassifier.Result result, long batchStartedAt,
            long batchMillis, int batchImages) {
    }

    private static final class Member {
        final KeyValueStore<Long, BufferedImage> store;
        /** offset → acceptedAt of buffered images not yet in a batch */
        final TreeMap<Long, Long> waiting = new TreeMap<>();
        final ArrayDeque<Done> done = new ArrayDeque<>();

        Member(KeyValueStore<Long, BufferedImage> store) {
            this.store = store;
        }
    }

    public BatchCoordinator(BatchClassifier classifier, int maxImages, long maxDelayMs, BatchListener listener) {
        if (maxImages < 1 || maxDelayMs < 0) {
            throw new IllegalArgumentException("max-batch-images must be ≥ 1 and max-batch-delay-ms ≥ 0");
        }
        this.classifier = classifier;
        this.maxImages = maxImages;
        this.maxDelayMs = maxDelayMs;
        this.listener = listener;
    }

    /** A task's processor starts: whatever its store holds (restored after a crash) waits for a batch. */
    public void join(TaskId task, KeyValueStore<Long, BufferedImage> store) {
        Member member = new Member(store);
        try (KeyValueIterator<Long, BufferedImage> all = store.all()) {
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

    public int waiting() {
        int n = 0;
        for (Member m : members.values()) {
            n += m.waiting.size();
        }
        return n;
    }

    /** A batch should run now: enough images wait, or the oldest has waited long enough. */
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

    /** Classifies up to max-batch-images of the oldest waiting images, across tasks, in one pass. */
    public void runBatch(long now) {
        record Pick(Member member, long offset, long acceptedAt) {
        }
        List<Pick> picks = new ArrayList<>();
        for (Member m : members.values()) {
            m.waiting.forEach((offset, acceptedAt) -> picks.add(new Pick(m, offset, acceptedAt)));
        }
        picks.sort(Comparator.comparingLong(Pick::acceptedAt));
        List<Pick> batch = picks.subList(0, Math.min(maxImages, picks.size()));
        List<BufferedImage> images = new ArrayList<>(batch.size());
        List<byte[]> bytes = new ArrayList<>(batch.size());
        for (Pick p : batch) {
            BufferedImage image = p.member.store.get(p.offset);
            images.add(image);
            bytes.add(ByteBuffers.toArray(image.getImage()));
        }
        long started = System.currentTimeMillis();
        List<BatchClassifier.Result> results = classifier.classify(bytes);
        long millis = System.currentTimeMillis() - started;
        for (int i = 0; i < batch.size(); i++) {
            Pick p = batch.get(i);
            p.member.waiting.remove(p.offset);
            p.member.done.add(new Done(p.offset, images.get(i), results.get(i), started, millis, batch.size()));
        }
        listener.batchDone(batch.size(), millis);
    }

    /** The task's classified images, for it to forward and delete from its store. */
    public List<Done> takeDone(TaskId task) {
        Member m = members.get(task);
        List<Done> out = new ArrayList<>(m.done);
        m.done.clear();
        return out;
    }
}
