package io.resnetstream.batching;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many batches each buffered image went into without that batch finishing: the process crashed, hung or ran
 * out of memory meanwhile. A count goes up before its batch runs and must outlive the very crash it counts, so
 * the service's log is a file in the state directory ({@link FileAttemptLog}); an image whose count reaches the
 * limit is quarantined (dead-lettered as POISON) instead of being run again.
 */
public interface AttemptLog extends AutoCloseable {

    /** Where an image came from: its identity across restarts. */
    record ImageRef(String topic, int partition, long offset) {}

    /** Batches {@code image} went into that never finished. */
    int attempts(ImageRef image);

    /** {@code images} are about to run: their counts go up, and are durable when this returns. */
    void starting(List<ImageRef> images);

    /** {@code image} has its outcome: its count is no longer needed. */
    void finished(ImageRef image);

    @Override
    void close();

    /** A log that lives as long as this object: for tests, and where no state directory is configured. */
    static AttemptLog inMemory() {
        return new AttemptLog() {
            private final Map<ImageRef, Integer> counts = new HashMap<>();

            @Override
            public synchronized int attempts(ImageRef image) {
                return counts.getOrDefault(image, 0);
            }

            @Override
            public synchronized void starting(List<ImageRef> images) {
                images.forEach(image -> counts.merge(image, 1, Integer::sum));
            }

            @Override
            public synchronized void finished(ImageRef image) {
                counts.remove(image);
            }

            @Override
            public void close() {}
        };
    }
}
