package io.resnetstream.batching;

import io.resnetstream.batching.internal.PendingImage;
import io.resnetstream.outcome.RejectedInputException;

/**
 * Where a waiting image's bytes come from when its batch is prepared, off the stream thread: the memory cache
 * (an inline image accepted by this process), a fetch of the event's URI, or the input topic itself (a reference
 * restored from the changelog after a crash or a rebalance, whose bytes this process never held). The buffer store
 * keeps only the reference; this is how the reference becomes bytes again.
 */
@FunctionalInterface
public interface ImageSource {

    /**
     * The encoded image, checked as intake checks an inline image (size, header); or why this image has none, which
     * makes it that image's dead letter. A {@link RuntimeException} is the world's fault (the registry or the broker
     * did not answer): it fails the batch, as a model failure does, and the images are read again.
     */
    byte[] bytes() throws RejectedInputException;

    /** Whether {@link #bytes()} returns at once, without any I/O (then it needs no fetch thread). */
    default boolean inMemory() {
        return false;
    }

    /** Bytes already in memory, accepted at intake. */
    static ImageSource inMemory(byte[] image) {
        return new ImageSource() {
            @Override
            public byte[] bytes() {
                return image;
            }

            @Override
            public boolean inMemory() {
                return true;
            }
        };
    }

    /** Gives a restored reference its source: its bytes are not in memory, so they are read again. */
    @FunctionalInterface
    interface Restorer {
        ImageSource restore(PendingImage reference);
    }
}
