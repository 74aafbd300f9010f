package io.resnetstream.registry;

/**
 * The registry has a schema under this id, but not one an Avro reader can use: another type (PROTOBUF, JSON),
 * references to other schemas, or text that does not parse. Like {@link UnknownSchemaException}, a property of
 * the record that names the id, not a passing failure of the registry.
 */
public class UnusableSchemaException extends UnknownSchemaException {

    public UnusableSchemaException(int schemaId, String message) {
        super(schemaId, message);
    }
}
