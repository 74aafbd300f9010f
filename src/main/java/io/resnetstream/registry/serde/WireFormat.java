package io.resnetstream.registry.serde;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Confluent's framing of a Kafka key or value: magic byte 0, the schema id as 4 bytes big-endian, then the
 * Avro binary encoding of the record (no Avro container header).
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {}

    public static byte[] encode(int schemaId, byte[] avroBinary) {
        return ByteBuffer.allocate(HEADER_LENGTH + avroBinary.length)
                .put(MAGIC_BYTE)
                .putInt(schemaId)
                .put(avroBinary)
                .array();
    }

    /**
     * Reads the header. An empty payload is allowed: a record without fields encodes to no bytes.
     *
     * @throws MalformedWireFormatException when the value is shorter than the header or the magic byte is wrong
     */
    public static Frame parse(byte[] value) {
        if (value == null || value.length < HEADER_LENGTH) {
            throw new MalformedWireFormatException("Not in the schema registry wire format: "
                    + (value == null ? "no" : value.length) + " bytes, the header alone is " + HEADER_LENGTH);
        }
        if (value[0] != MAGIC_BYTE) {
            throw new MalformedWireFormatException(String.format(
                    "Not in the schema registry wire format: first byte is 0x%02x, expected 0x00"
                            + " (plain Avro, JSON or text from the producer?)",
                    value[0]));
        }
        return new Frame(ByteBuffer.wrap(value, 1, 4).getInt(), value);
    }

    /**
     * A parsed value: its schema id and, in {@code value} from {@link #payloadOffset()}, the Avro payload.
     * Holds the array it was parsed from, not a copy.
     */
    public record Frame(int schemaId, byte[] value) {

        public int payloadOffset() {
            return HEADER_LENGTH;
        }

        public int payloadLength() {
            return value.length - HEADER_LENGTH;
        }

        /** A copy of the Avro payload. */
        public byte[] payload() {
            return Arrays.copyOfRange(value, HEADER_LENGTH, value.length);
        }
    }
}
