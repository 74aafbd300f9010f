package io.resnetstream.batching;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import io.resnetstream.batching.internal.PendingImage;

import static org.assertj.core.api.Assertions.assertThat;

/** The buffer store's records: today's round trip, and the bare records an earlier release left in a changelog. */
class PendingImageSerdeTest {
    private final PendingImageSerde serde = new PendingImageSerde();

    @Test
    void aRecordComesBackAsItWent() {
        PendingImage image = PendingImage.newBuilder()
                .setImageId("img-1")
                .setKey(ByteBuffer.wrap(new byte[] {1, 2}))
                .setImage(ByteBuffer.wrap(new byte[] {9, 8, 7}))
                .setTopic("images")
                .setPartition(3)
                .setOffset(42)
                .setEventTime(1000L)
                .setAcceptedAt(2000)
                .setTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .build();
        byte[] bytes = serde.serializer().serialize("changelog", image);
        assertThat(PendingImageSerde.singleObject(bytes)).isTrue();
        assertThat(serde.deserializer().deserialize("changelog", bytes)).isEqualTo(image);
    }

    @Test
    void aBareRecordOfAnEarlierReleaseIsStillRead() throws Exception {
        GenericRecord old = new GenericData.Record(PendingImageSerde.BARE_V1);
        old.put("imageId", "img-old");
        old.put("key", null);
        old.put("image", ByteBuffer.wrap(new byte[] {5, 6}));
        old.put("topic", "images");
        old.put("partition", 0);
        old.put("offset", 7L);
        old.put("eventTime", null);
        old.put("acceptedAt", 123L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(PendingImageSerde.BARE_V1).write(old, encoder);

        PendingImage read = serde.deserializer().deserialize("changelog", out.toByteArray());
        assertThat(read.getImageId()).isEqualTo("img-old");
        assertThat(read.getImage()).isEqualTo(ByteBuffer.wrap(new byte[] {5, 6}));
        assertThat(read.getOffset()).isEqualTo(7L);
        assertThat(read.getAcceptedAt()).isEqualTo(123L);
        assertThat(read.getTraceparent()).isNull();
    }
}
