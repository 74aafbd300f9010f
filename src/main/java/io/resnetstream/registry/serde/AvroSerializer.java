package io.resnetstream.registry.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import io.resnetstream.registry.SchemaRegistry;

/**
 * Writes generated Avro records in the Confluent wire format. The schema id comes from the registry under
 * the topic's subject ({@link TopicNameStrategy}): registered when {@link SerdeOptions#autoRegister()}, else looked up;
 * the client caches it, so only a topic's first record costs a request. A null record stays null (tombstone).
 * Registry failures surface as {@link io.resnetstream.registry.RegistryException}s.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private final SchemaRegistry client;
    private final Schema schema;
    private final DatumWriter<T> writer;
    private final SerdeOptions options;

    public AvroSerializer(SchemaRegistry client, Schema schema, SerdeOptions options) {
        this.client = client;
        this.schema = schema;
        this.writer = new SpecificDatumWriter<>(schema, SpecificTypes.modelFor(schema));
        this.options = options;
    }

    public AvroSerializer(SchemaRegistry client, Class<T> type, SerdeOptions options) {
        this(client, SpecificTypes.schemaOf(type), options);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        String subject = TopicNameStrategy.subject(topic, options.forKeys());
        int schemaId = options.autoRegister() ? client.register(subject, schema) : client.lookup(subject, schema);
        return WireFormat.encode(schemaId, avroBinary(topic, record));
    }

    private byte[] avroBinary(String topic, T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            // e.g. a required field left null
            throw new SerializationException(
                    "Cannot encode a " + schema.getFullName() + " for topic " + topic + ": " + e, e);
        }
        return out.toByteArray();
    }
}
