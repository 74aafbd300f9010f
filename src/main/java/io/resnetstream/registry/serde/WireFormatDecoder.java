package io.resnetstream.registry.serde;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;

import io.resnetstream.registry.RegistryException;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.registry.UnknownSchemaException;

/** The deserializers' common path: frame → writer schema by id → a reader for that writer → record. */
final class WireFormatDecoder<T> {
    private final SchemaRegistry client;
    private final Function<Schema, DatumReader<T>> readerForWriter;
    private final Map<Integer, DatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();

    WireFormatDecoder(SchemaRegistry client, Function<Schema, DatumReader<T>> readerForWriter) {
        this.client = client;
        this.readerForWriter = readerForWriter;
    }

    /**
     * @throws MalformedWireFormatException when the header is wrong
     * @throws UnknownSchemaException when the registry does not know the id
     * @throws SerializationException when the payload does not decode with the writer schema
     * @throws RegistryException when the registry cannot be asked (not the record's fault)
     */
    T decode(String topic, byte[] value) {
        if (value == null) {
            return null;
        }
        WireFormat.Frame frame = WireFormat.parse(value);
        DatumReader<T> reader = readerFor(frame.schemaId());
        BinaryDecoder decoder =
                DecoderFactory.get().binaryDecoder(value, frame.payloadOffset(), frame.payloadLength(), null);
        T record;
        boolean consumedAll;
        try {
            record = reader.read(null, decoder);
            consumedAll = decoder.isEnd();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "Cannot decode the Avro payload (schema id " + frame.schemaId() + ") from topic " + topic + ": "
                            + e,
                    e);
        }
        // Left-over bytes mean the payload was not written with this schema: refuse rather than guess.
        if (!consumedAll) {
            throw new SerializationException("The Avro payload (schema id " + frame.schemaId() + ") from topic " + topic
                    + " has bytes left over after the record: not written with that schema");
        }
        return record;
    }

    private DatumReader<T> readerFor(int schemaId) {
        DatumReader<T> reader = readersBySchemaId.get(schemaId);
        if (reader == null) {
            reader = readerForWriter.apply(client.getById(schemaId));
            readersBySchemaId.putIfAbsent(schemaId, reader);
        }
        return reader;
    }
}
