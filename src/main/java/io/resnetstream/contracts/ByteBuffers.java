package io.resnetstream.contracts;

import java.nio.ByteBuffer;

/** Avro hands {@code bytes} fields over as ByteBuffers; decoders and Kafka want arrays. */
public final class ByteBuffers {
    private ByteBuffers() {}

    /** A copy of the buffer's remaining bytes; the buffer's position is left as it was. */
    public static byte[] toArray(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
