package io.resnetstream.registry.serde;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.resnetstream.registry.SchemaRegistry;

/**
 * A Kafka serde for one generated Avro class in the Confluent wire format, built in code rather than from
 * Kafka properties. See {@link AvroSerializer} and {@link AvroDeserializer}.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    /** @param options keys or values, and whether the schema is registered on first use */
    public AvroSerde(SchemaRegistry client, Class<T> type, SerdeOptions options) {
        this.serializer = new AvroSerializer<>(client, type, options);
        this.deserializer = new AvroDeserializer<>(client, type);
    }

    /** As above, for the schema of a generated class, e.g. {@code Prediction.getClassSchema()}. */
    public AvroSerde(SchemaRegistry client, Schema schema, SerdeOptions options) {
        this.serializer = new AvroSerializer<>(client, schema, options);
        this.deserializer = new AvroDeserializer<>(client, schema);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
