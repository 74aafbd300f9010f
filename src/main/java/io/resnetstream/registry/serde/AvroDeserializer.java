package io.resnetstream.registry.serde;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

import io.resnetstream.registry.SchemaRegistry;

/**
 * Reads Confluent wire-format values into a generated Avro class. The writer's schema is fetched by the id in
 * the value (once per id) and resolved against the class's schema, so records written with an older or newer
 * compatible schema read fine (missing fields take their defaults, unknown ones are skipped).
 * <p>
 * Failures: {@link MalformedWireFormatException} (bad header), {@link io.resnetstream.registry.UnknownSchemaException}
 * (id unknown to the registry), {@link org.apache.kafka.common.errors.SerializationException} (payload does not
 * decode): all properties of the record. A {@link io.resnetstream.registry.RegistryException} means the registry
 * could not be asked, which is no fault of the record.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final WireFormatDecoder<T> decoder;

    public AvroDeserializer(SchemaRegistry client, Schema readerSchema) {
        SpecificData model = SpecificTypes.modelFor(readerSchema);
        this.decoder = new WireFormatDecoder<>(
                client, writerSchema -> new SpecificDatumReader<>(writerSchema, readerSchema, model));
    }

    public AvroDeserializer(SchemaRegistry client, Class<T> type) {
        this(client, SpecificTypes.schemaOf(type));
    }

    @Override
    public T deserialize(String topic, byte[] value) {
        return decoder.decode(topic, value);
    }
}
