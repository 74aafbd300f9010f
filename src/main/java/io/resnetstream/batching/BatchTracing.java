package io.resnetstream.batching;

import java.util.List;
import java.util.function.Supplier;

/**
 * Stands around the run of each batch, on the inference thread that runs it (not the stream thread): where a trace
 * span per batch is made, linked to the trace contexts its images came with. {@link #NONE} does nothing.
 */
public interface BatchTracing {
    /**
     * @param traceparents the W3C traceparent of each image in the batch, in batch order; null where an image came
     *                     without one
     * @return what {@code batch} returns; what it throws passes through
     */
    <T> T around(List<String> traceparents, Supplier<T> batch);

    BatchTracing NONE = new BatchTracing() {
        @Override
        public <T> T around(List<String> traceparents, Supplier<T> batch) {
            return batch.get();
        }
    };
}
