package io.resnetstream.batching;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.resnetstream.batching.internal.PendingImage;

/**
 * Plain Avro binary for the buffer store and its changelog: internal, so no registry involved. A record starts with
 * a format byte, {@value #TRACED_REFERENCE_FORMAT} (a reference with the input's trace context); records of format
 * {@value #REFERENCE_FORMAT} (a reference without it) are still read. The buffer of the earliest releases held the
 * image bytes themselves, without a format byte, and its records (which start with an even byte, the zig-zag length of the image id) are still read
 * after an upgrade, as references: their images are then read again from the input topic like any restored one.
 */
public final class PendingImageSerde implements Serde<PendingImage> {
    /** A reference without {@code traceparent}: what the release that introduced references wrote. */
    static final byte REFERENCE_FORMAT = 1;

    /**
     * A reference with {@code traceparent}: what is written now. Odd, like {@link #REFERENCE_FORMAT}, so no record of
     * the earliest releases (which start with an even byte) is taken for one.
     */
    static final byte TRACED_REFERENCE_FORMAT = 3;

    /** The reference of {@link #REFERENCE_FORMAT}: today's record without {@code traceparent}. */
    static final Schema REFERENCE_V1 = new Schema.Parser()
            .parse(
                    """
            {"type": "record", "name": "PendingImage", "namespace": "io.resnetstream.batching.internal", "fields": [
              {"name": "imageId", "type": "string"},
              {"name": "key", "type": ["null", "bytes"], "default": null},
              {"name": "topic", "type": "string"},
              {"name": "partition", "type": "int"},
              {"name": "offset", "type": "long"},
              {"name": "imageBytes", "type": "int", "default": 0},
              {"name": "eventTime", "type": ["null", "long"], "default": null},
              {"name": "acceptedAt", "type": "long"}]}
            """);

    /** The record the buffer held before references: the image's bytes in the changelog. */
    private static final Schema WITH_BYTES = new Schema.Parser()
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

    private static final SpecificDatumWriter<PendingImage> WRITER = new SpecificDatumWriter<>(PendingImage.class);
    private static final SpecificDatumReader<PendingImage> READER = new SpecificDatumReader<>(PendingImage.class);
    private static final SpecificDatumReader<PendingImage> REFERENCE_V1_READER =
            new SpecificDatumReader<>(REFERENCE_V1, PendingImage.getClassSchema());
    private static final SpecificDatumReader<PendingImage> EARLIER_READER =
            new SpecificDatumReader<>(WITH_BYTES, PendingImage.getClassSchema());

    @Override
    public Serializer<PendingImage> serializer() {
        return (topic, image) -> {
            if (image == null) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            out.write(TRACED_REFERENCE_FORMAT);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            try {
                WRITER.write(image, encoder);
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
                if (bytes.length > 0 && bytes[0] == TRACED_REFERENCE_FORMAT) {
                    return READER.read(null, DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null));
                }
                if (bytes.length > 0 && bytes[0] == REFERENCE_FORMAT) {
                    return REFERENCE_V1_READER.read(
                            null, DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null));
                }
                return EARLIER_READER.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
