package io.resnetstream.registry.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.SchemaNotRegisteredException;
import io.resnetstream.registry.UnknownSchemaException;
import io.resnetstream.testing.LocalStack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The serde through a real registry: producer and consumer each with their own client, as two processes. */
class AvroSerdeIT {
    private static final String IMAGE_EVENT = "io.resnetstream.contracts.ImageEvent";

    @Test
    void anImageEventRoundTripsUnderItsTopicsValueSubject() {
        String topic = LocalStack.unique("images");
        HttpSchemaRegistry producer = LocalStack.newRegistryClient();

        byte[] value = new AvroSerde<>(
                        producer, ImageEvent.class, SerdeOptions.values().registeringSchemas())
                .serializer()
                .serialize(topic, Samples.imageEvent());

        int id = LocalStack.newRegistryClient().lookup(topic + "-value", ImageEvent.getClassSchema());
        assertThat(WireFormat.parse(value).schemaId()).isEqualTo(id);
        assertThat(value[0]).isZero();
        ImageEvent read = new AvroSerde<>(LocalStack.newRegistryClient(), ImageEvent.class, SerdeOptions.values())
                .deserializer()
                .deserialize(topic, value);
        assertThat(read).isEqualTo(Samples.imageEvent());
    }

    @Test
    void aPredictionRoundTripsAndReadsGenerically() {
        String topic = LocalStack.unique("predictions");

        byte[] value = new AvroSerde<>(
                        LocalStack.newRegistryClient(),
                        Prediction.getClassSchema(),
                        SerdeOptions.values().registeringSchemas())
                .serializer()
                .serialize(topic, Samples.prediction());

        Prediction read =
                new AvroDeserializer<>(LocalStack.newRegistryClient(), Prediction.class).deserialize(topic, value);
        assertThat(read).isEqualTo(Samples.prediction());
        GenericRecord generic = new GenericAvroDeserializer(LocalStack.newRegistryClient()).deserialize(topic, value);
        assertThat(generic.getSchema().getFullName()).isEqualTo("io.resnetstream.contracts.Prediction");
        assertThat(generic.get("imageId")).hasToString("img-0001");
        assertThat(generic.get("predictedAt")).isEqualTo(1_700_000_004_567L);
        assertThat(((GenericRecord) generic.get("model")).get("name")).hasToString("resnet50");
    }

    @Test
    void aKeySerdeUsesTheKeySubject() {
        String topic = LocalStack.unique("predictions");

        new AvroSerde<>(
                        LocalStack.newRegistryClient(),
                        Prediction.class,
                        SerdeOptions.keys().registeringSchemas())
                .serializer()
                .serialize(topic, Samples.prediction());

        HttpSchemaRegistry client = LocalStack.newRegistryClient();
        assertThat(client.lookup(topic + "-key", Prediction.getClassSchema())).isPositive();
        assertThatThrownBy(() -> client.lookup(topic + "-value", Prediction.getClassSchema()))
                .isInstanceOf(SchemaNotRegisteredException.class);
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSubjectFails() {
        String topic = LocalStack.unique("predictions");
        AvroSerializer<Prediction> serializer =
                new AvroSerializer<>(LocalStack.newRegistryClient(), Prediction.class, SerdeOptions.values());

        assertThatThrownBy(() -> serializer.serialize(topic, Samples.prediction()))
                .isInstanceOfSatisfying(SchemaNotRegisteredException.class, e -> assertThat(e.subject())
                        .isEqualTo(topic + "-value"));
    }

    @Test
    void anOlderWriterReadsWithDefaultsForTheMissingFields() throws IOException {
        Schema older = SchemaBuilder.record(IMAGE_EVENT)
                .fields()
                .requiredString("imageId")
                .optionalBytes("data")
                .endRecord();
        GenericRecord event = new GenericData.Record(older);
        event.put("imageId", "old-1");
        event.put("data", ByteBuffer.wrap(new byte[] {1, 2, 3}));

        ImageEvent read = readAsImageEvent(older, event);

        assertThat(read.getImageId()).isEqualTo("old-1");
        assertThat(read.getData()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(read.getSource()).isNull();
        assertThat(read.getEventTime()).isNull();
        assertThat(read.getAttributes()).isEmpty();
    }

    @Test
    void aNewerWriterReadsWithItsExtraFieldSkipped() throws IOException {
        Schema newer = SchemaBuilder.record(IMAGE_EVENT)
                .fields()
                .requiredString("imageId")
                .name("priority")
                .type()
                .intType()
                .intDefault(0)
                .optionalString("uri")
                .name("attributes")
                .type()
                .map()
                .values()
                .stringType()
                .mapDefault(Map.of())
                .endRecord();
        GenericRecord event = new GenericData.Record(newer);
        event.put("imageId", "new-1");
        event.put("priority", 7);
        event.put("uri", "s3://bucket/new-1.jpg");
        event.put("attributes", Map.of("k", "v"));

        ImageEvent read = readAsImageEvent(newer, event);

        assertThat(read.getImageId()).isEqualTo("new-1");
        assertThat(read.getUri()).isEqualTo("s3://bucket/new-1.jpg");
        assertThat(read.getAttributes()).containsExactly(Map.entry("k", "v"));
        assertThat(read.getData()).isNull();
    }

    @Test
    void anIdUnknownToTheRegistryIsUnknownSchemaException() {
        AvroDeserializer<ImageEvent> deserializer =
                new AvroDeserializer<>(LocalStack.newRegistryClient(), ImageEvent.class);

        assertThatThrownBy(() ->
                        deserializer.deserialize("images", WireFormat.encode(Integer.MAX_VALUE, new byte[] {2, 'x'})))
                .isInstanceOfSatisfying(UnknownSchemaException.class, e -> assertThat(e.schemaId())
                        .isEqualTo(Integer.MAX_VALUE));
    }

    /** Registers the writer's schema under a fresh subject, writes the record with it, reads as today's class. */
    private static ImageEvent readAsImageEvent(Schema writerSchema, GenericRecord record) throws IOException {
        String topic = LocalStack.unique("images");
        int id = LocalStack.newRegistryClient().register(topic + "-value", writerSchema);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(writerSchema).write(record, encoder);
        encoder.flush();
        return new AvroDeserializer<>(LocalStack.newRegistryClient(), ImageEvent.class)
                .deserialize(topic, WireFormat.encode(id, out.toByteArray()));
    }
}
