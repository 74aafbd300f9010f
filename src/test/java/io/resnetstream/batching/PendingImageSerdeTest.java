package io.resnetstream.batching;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import io.resnetstream.batching.internal.PendingImage;

import static org.assertj.core.api.Assertions.assertThat;

/** The buffer's changelog records: small references, and the records of earlier releases still read. */
class PendingImageSerdeTest {
    private final PendingImageSerde serde = new PendingImageSerde();

    @Test
    void aReferenceWithoutTraceparentOfTheReleaseBeforeIsStillRead() throws Exception {
        GenericRecord old = new GenericData.Record(PendingImageSerde.REFERENCE_V1);
        old.put("imageId", "img-7");
        old.put("key", null);
        old.put("topic", "images");
        old.put("partition", 1);
        old.put("offset", 99L);
        old.put("imageBytes", 1234);
        old.put("eventTime", null);
        old.put("acceptedAt", 5L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(PendingImageSerde.REFERENCE_FORMAT);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(PendingImageSerde.REFERENCE_V1).write(old, encoder);

        PendingImage read = serde.deserializer().deserialize("changelog", out.toByteArray());
        assertThat(read.getImageId()).isEqualTo("img-7");
        assertThat(read.getOffset()).isEqualTo(99L);
        assertThat(read.getImageBytes()).isEqualTo(1234);
        assertThat(read.getTraceparent()).isNull();
    }

    @Test
    void aReferenceRoundTripsInAFewDozenBytes() {
        PendingImage reference = PendingImage.newBuilder()
                .setImageId("img-42")
                .setKey(ByteBuffer.wrap(new byte[] {1, 2}))
                .setTopic("images")
                .setPartition(3)
                .setOffset(123_456_789L)
                .setImageBytes(2_000_000)
                .setEventTime(1L)
                .setAcceptedAt(1_700_000_000_000L)
                .setTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .build();
        byte[] bytes = serde.serializer().serialize("changelog", reference);
        assertThat(bytes[0]).isEqualTo(PendingImageSerde.TRACED_REFERENCE_FORMAT);
        assertThat(bytes.length).isLessThan(128); // for an image of 2 MB, with its trace context
        assertThat(serde.deserializer().deserialize("changelog", bytes)).isEqualTo(reference);
    }

    @Test
    void aRecordOfTheEarlierByteHoldingBufferIsReadAsAReference() throws Exception {
        Schema earlier = new Schema.Parser()
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
        for (String id : new String[] {"", "a", "x".repeat(200)}) { // lengths whose zig-zag bytes differ
            GenericRecord old = new GenericData.Record(earlier);
            old.put("imageId", id);
            old.put("key", null);
            old.put("image", ByteBuffer.wrap(new byte[5000]));
            old.put("topic", "images");
            old.put("partition", 1);
            old.put("offset", 77L);
            old.put("eventTime", null);
            old.put("acceptedAt", 5L);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(earlier).write(old, encoder);

            PendingImage read = serde.deserializer().deserialize("changelog", out.toByteArray());
            assertThat(read.getImageId()).isEqualTo(id);
            assertThat(read.getTopic()).isEqualTo("images");
            assertThat(read.getPartition()).isEqualTo(1);
            assertThat(read.getOffset()).isEqualTo(77L);
            assertThat(read.getAcceptedAt()).isEqualTo(5L);
            assertThat(read.getImageBytes()).isZero(); // the bytes are read again from the input topic
        }
    }
}
