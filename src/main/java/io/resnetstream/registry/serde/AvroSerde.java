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

    /**
     * @param autoRegister register the schema under the topic's subject on first use; else it must already be there
     * @param isKey        use the {@code <topic>-key} subject instead of {@code <topic>-value}
     */
    public AvroSerde(SchemaRegistry client, Class<T> type, boolean autoRegister, boolean isKey) {
        this.serializer = new AvroSerializer<>(client, type, autoRegister, isKey);
        this.deserializer = new AvroDeserializer<>(client, type);
    }

    /** As above, for the schema of a generated class, e.g. {@code Prediction.getClassSchema()}. */
    public AvroSerde(SchemaRegistry client, Schema schema, boolean autoRegister, boolean isKey) {
        this.serializer = new AvroSerializer<>(client, schema, autoRegister, isKey);
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
