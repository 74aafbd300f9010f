package io.resnetstream.registry;

import org.apache.avro.Schema;

/**
 * A Confluent-compatible schema registry, Avro schemas only: what the serdes need (register, look up, fetch
 * by id) and what a release pipeline asks (latest version, compatibility). {@link HttpSchemaRegistry} talks
 * to a real one over its REST API; tests use an in-memory one. Implementations are thread-safe.
 */
public interface SchemaRegistry {

    /**
     * Registers the schema under the subject (a no-op returning the existing id if it is already there).
     *
     * @throws IncompatibleSchemaException when the subject's compatibility rule refuses it
     */
    int register(String subject, Schema schema);

    /**
     * The id of a schema already registered under the subject; never registers.
     *
     * @throws SchemaNotRegisteredException when the subject does not exist or does not hold this schema
     */
    int lookup(String subject, Schema schema);

    /**
     * The schema with this id.
     *
     * @throws UnknownSchemaException when the registry has no schema with this id
     */
    Schema getById(int id);

    /**
     * The subject's newest version.
     *
     * @throws SchemaNotRegisteredException when the subject does not exist
     */
    RegisteredSchema latest(String subject);

    /** Whether the subject's compatibility rule would accept the schema as its next version. */
    boolean isCompatible(String subject, Schema schema);

    /**
     * Sets a compatibility level (NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
     * FULL_TRANSITIVE) for one subject, or the registry-wide default when {@code subject} is null.
     */
    void setCompatibility(String subject, String level);

    /** The level in force for the subject (its own, else the global one), or the global one when null. */
    String getCompatibility(String subject);
}
