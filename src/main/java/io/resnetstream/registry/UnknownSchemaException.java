package io.resnetstream.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The registry knows no schema with this id. A {@link SerializationException} because, met while
 * deserializing, it is a property of the record (bad producer, wrong registry), not a passing failure.
 */
public class UnknownSchemaException extends SerializationException {
    private final int schemaId;

    public UnknownSchemaException(int schemaId, String message) {
        super(message);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
