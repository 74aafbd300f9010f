package io.resnetstream.batching;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.resnetstream.batching.internal.PendingImage;

/** Plain Avro binary for the buffer store and its changelog: internal, so no registry involved. */
public final class PendingImageSerde implements Serde<PendingImage> {
    private static final SpecificDatumWriter<PendingImage> WRITER = new SpecificDatumWriter<>(PendingImage.class);
    private static final SpecificDatumReader<PendingImage> READER = new SpecificDatumReader<>(PendingImage.class);

    @Override
    public Serializer<PendingImage> serializer() {
        return (topic, image) -> {
            if (image == null) {
                return null;
            }
            ByteArrayOutputStream out =
                    new ByteArrayOutputStream(image.getImage().remaining() + 256);
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
                return READER.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
