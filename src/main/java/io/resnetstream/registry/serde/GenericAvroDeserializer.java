package io.resnetstream.registry.serde;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import io.resnetstream.registry.SchemaRegistry;

/**
 * Reads Confluent wire-format records as {@link GenericRecord}s in their writer's own schema, with no generated
 * class: for tools that show whatever is on a topic. Logical types stay raw (timestamp-millis as long, strings
 * as {@link org.apache.avro.util.Utf8}). Fails as {@link AvroDeserializer} does.
 */
public final class GenericAvroDeserializer implements Deserializer<GenericRecord> {
    private final WireFormatDecoder<GenericRecord> decoder;

    public GenericAvroDeserializer(SchemaRegistry client) {
        this.decoder = new WireFormatDecoder<>(client, GenericAvroDeserializer::recordReader);
    }

    private static GenericDatumReader<GenericRecord> recordReader(Schema writerSchema) {
        if (writerSchema.getType() != Schema.Type.RECORD) {
            throw new SerializationException("The writer schema is a " + writerSchema.getType() + ", not a record");
        }
        return new GenericDatumReader<>(writerSchema, writerSchema, GenericData.get());
    }

    @Override
    public GenericRecord deserialize(String topic, byte[] value) {
        return decoder.decode(topic, value);
    }
}
