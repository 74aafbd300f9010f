package io.resnetstream.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A {@link SchemaRegistry} held in memory, as Confluent's {@code MockSchemaRegistryClient}: for tests and
 * anything else that runs the pipeline without a registry server. It keeps the rules the serdes and the
 * pipeline rely on: one id per distinct schema, versions per subject, unknown ids and subjects failing with
 * the same exceptions as {@link HttpSchemaRegistry}, and compatibility levels checked with Avro's own
 * reader/writer rules (BACKWARD by default, as Confluent's).
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {
    private static final Set<String> LEVELS = Set.of(
            "NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<Schema, Integer> idsBySchema = new HashMap<>();
    /** Each subject's schema ids, oldest version first. */
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

    private final Map<String, String> levelsBySubject = new HashMap<>();
    /** Ids of schemas of another type (PROTOBUF, JSON): the registry holds them, an Avro reader cannot use them. */
    private final Map<Integer, String> foreignTypesById = new HashMap<>();

    private String globalLevel = "BACKWARD";
    private int nextId = 1;

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        Integer id = idsBySchema.get(schema);
        if (id != null && versions.contains(id)) {
            return id;
        }
        if (!acceptsNext(subject, versions, schema)) {
            throw new IncompatibleSchemaException(
                    subject,
                    new RegistryException(
                            "Schema being registered is " + "incompatible with an earlier schema under "
                                    + getCompatibility(subject),
                            409,
                            409,
                            null));
        }
        if (id == null) {
            id = nextId++;
            idsBySchema.put(schema, id);
            schemasById.put(id, schema);
        }
        versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    @Override
    public synchronized int lookup(String subject, Schema schema) {
        List<Integer> versions = existingVersions(subject);
        Integer id = idsBySchema.get(schema);
        if (id == null || !versions.contains(id)) {
            throw notRegistered(subject, 40403, "Schema not found");
        }
        return id;
    }

    /**
     * Holds a schema of another type, as a real registry may (Confluent's serves PROTOBUF and JSON too): its id
     * fails {@link #getById} as unusable, as {@link HttpSchemaRegistry} answers for such an id.
     */
    public synchronized int registerForeign(String schemaType) {
        int id = nextId++;
        foreignTypesById.put(id, schemaType);
        return id;
    }

    @Override
    public synchronized Schema getById(int id) {
        if (foreignTypesById.containsKey(id)) {
            throw new UnusableSchemaException(
                    id, "schema id " + id + " is a " + foreignTypesById.get(id) + " schema; only Avro is supported");
        }
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new UnknownSchemaException(id, "Schema id " + id + " is not known to the in-memory registry");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        List<Integer> versions = existingVersions(subject);
        int id = versions.get(versions.size() - 1);
        return new RegisteredSchema(subject, versions.size(), id, schemasById.get(id));
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        return acceptsNext(subject, existingVersions(subject), schema);
    }

    @Override
    public synchronized void setCompatibility(String subject, String level) {
        if (!LEVELS.contains(level)) {
            throw new RegistryException("Invalid compatibility level " + level, 422, 42203, null);
        }
        if (subject == null) {
            globalLevel = level;
        } else {
            levelsBySubject.put(subject, level);
        }
    }

    @Override
    public synchronized String getCompatibility(String subject) {
        return subject == null ? globalLevel : levelsBySubject.getOrDefault(subject, globalLevel);
    }

    private List<Integer> existingVersions(String subject) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null) {
            throw notRegistered(subject, 40401, "Subject not found");
        }
        return versions;
    }

    /** The subject's level against its latest version, or all of them when transitive. */
    private boolean acceptsNext(String subject, List<Integer> versions, Schema candidate) {
        String level = getCompatibility(subject);
        List<Integer> checked = level.endsWith("_TRANSITIVE") || versions.isEmpty()
                ? versions
                : versions.subList(versions.size() - 1, versions.size());
        for (int id : checked) {
            Schema existing = schemasById.get(id);
            boolean backward = canRead(candidate, existing);
            boolean forward = canRead(existing, candidate);
            boolean ok =
                    switch (level.replace("_TRANSITIVE", "")) {
                        case "BACKWARD" -> backward;
                        case "FORWARD" -> forward;
                        case "FULL" -> backward && forward;
                        default -> true; // NONE
                    };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean canRead(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
                        .getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    private static SchemaNotRegisteredException notRegistered(String subject, int errorCode, String message) {
        return new SchemaNotRegisteredException(subject, new RegistryException(message, 404, errorCode, null));
    }
}
