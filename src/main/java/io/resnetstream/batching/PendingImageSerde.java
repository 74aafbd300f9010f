package io.resnetstream.batching;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.resnetstream.batching.internal.PendingImage;

/**
 * Avro for the buffer store and its changelog: internal, so no registry involved. Written in Avro's single-object
 * encoding (two marker bytes and the schema's fingerprint before the record), so that a later release reading a
 * changelog written by an earlier one knows which schema wrote each record. Releases up to the one that added
 * {@code traceparent} wrote bare Avro binary without the marker; such records are still read, with the schema they
 * were written with: an upgrade with images in the buffer loses none of them.
 */
public final class PendingImageSerde implements Serde<PendingImage> {
    private static final BinaryMessageEncoder<PendingImage> ENCODER = PendingImage.getEncoder();
    private static final BinaryMessageDecoder<PendingImage> DECODER = PendingImage.getDecoder();

    /** The schema of the bare records of earlier releases: the current one without {@code traceparent}. */
    static final Schema BARE_V1 = new Schema.Parser()
            .parse(
                    """
            {"type": "record", "name": "PendingImage", "namespace": "io.resnetstream.batching.internal", "fields": [
              {"name": "imageId", "type": "string"},
              {"name": "key", "type": ["null", "bytes"], "default": null},
              {"name": "image", "type": "bytes"},
              {"name": "topic", "type": "string"},
              {"name": "partition", "type": "int"},
              {"name": "offset", "type": "long"},
              {"name": "eventTime", "type": ["null", "long"], "default": null},
              {"name": "acceptedAt", "type": "long"}]}
            """);

    private static final SpecificDatumReader<PendingImage> BARE_V1_READER = new SpecificDatumReader<>(
            BARE_V1, PendingImage.getClassSchema(), SpecificData.getForClass(PendingImage.class));

    @Override
    public Serializer<PendingImage> serializer() {
        return (topic, image) -> {
            if (image == null) {
                return null;
            }
            ByteArrayOutputStream out =
                    new ByteArrayOutputStream(image.getImage().remaining() + 256);
            try {
                ENCODER.encode(image, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        };
    }

    @Override
    public Deserializer<PendingImage> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return singleObject(bytes)
                        ? DECODER.decode(ByteBuffer.wrap(bytes))
                        : BARE_V1_READER.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /**
     * Single-object encoding starts with C3 01. A bare record starts with its image id's length, a zig-zag varint:
     * C3 01 would be −98, which no bare record can start with.
     */
    static boolean singleObject(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01;
    }
}
