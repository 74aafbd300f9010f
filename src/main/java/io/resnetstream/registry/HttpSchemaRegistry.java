package io.resnetstream.registry;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@link SchemaRegistry} behind the Confluent Schema Registry REST API (Confluent's own
 * {@code CachedSchemaRegistryClient}); Apicurio serves the same API under {@code /apis/ccompat/v7}. Thread-safe.
 * <p>
 * Registered schemas never change, so id → schema and (subject, schema) → id are cached for the life of
 * the client: after the first call for a schema, the serializer and deserializer make no HTTP request.
 * Failures are {@link RegistryException}s; see each method for the specific ones.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {
    private final RegistrySettings settings;
    private final RegistryHttp http;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    public HttpSchemaRegistry(RegistrySettings settings) {
        this.settings = settings;
        this.http = new RegistryHttp(settings);
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer cached = idsBySubjectSchema.get(new SubjectSchema(subject, schema));
        if (cached != null) {
            return cached;
        }
        try {
            JsonNode answer = http.post(subjectPath(subject) + "/versions", schemaBody(schema));
            return remember(subject, schema, requireInt(answer, "id", "register"));
        } catch (RegistryException e) {
            if (e.httpStatus() == 409) {
                throw new IncompatibleSchemaException(subject, e);
            }
            throw e;
        }
    }

    @Override
    public int lookup(String subject, Schema schema) {
        Integer cached = idsBySubjectSchema.get(new SubjectSchema(subject, schema));
        if (cached != null) {
            return cached;
        }
        try {
            JsonNode answer = http.post(subjectPath(subject), schemaBody(schema));
            return remember(subject, schema, requireInt(answer, "id", "lookup"));
        } catch (RegistryException e) {
            throw notFoundAs(subject, e);
        }
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer;
        try {
            answer = http.get("/schemas/ids/" + id);
        } catch (RegistryException e) {
            if (e.httpStatus() == 404) {
                throw new UnknownSchemaException(
                        id, "Schema id " + id + " is not known to the registry at " + settings.baseUrl());
            }
            throw e;
        }
        Schema schema;
        try {
            if (answer.path("references").size() > 0) {
                throw new RegistryException(
                        "schema id " + id + " has references to other schemas, which are not" + " supported",
                        200,
                        0,
                        null);
            }
            schema = parseAvro(answer, "schema id " + id);
        } catch (RegistryException e) {
            if (e.httpStatus() == 200) { // the registry answered: the schema it holds is of no use to us
                throw new UnusableSchemaException(id, e.getMessage());
            }
            throw e;
        }
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced == null ? schema : raced;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        JsonNode answer;
        try {
            answer = http.get(subjectPath(subject) + "/versions/latest");
        } catch (RegistryException e) {
            throw notFoundAs(subject, e);
        }
        int id = requireInt(answer, "id", "latest version");
        Schema schema = parseAvro(answer, "latest version of " + subject);
        schemasById.putIfAbsent(id, schema);
        return new RegisteredSchema(subject, requireInt(answer, "version", "latest version"), id, schema);
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode answer = http.post("/compatibility" + subjectPath(subject) + "/versions/latest", schemaBody(schema));
        JsonNode verdict = answer.get("is_compatible");
        if (verdict == null || !verdict.isBoolean()) {
            throw unexpected(answer, "compatibility check");
        }
        return verdict.booleanValue();
    }

    @Override
    public void setCompatibility(String subject, String level) {
        http.put(configPath(subject), Map.of("compatibility", level));
    }

    @Override
    public String getCompatibility(String subject) {
        JsonNode answer = http.get(configPath(subject) + (subject == null ? "" : "?defaultToGlobal=true"));
        JsonNode level = answer.get("compatibilityLevel");
        if (level == null || !level.isTextual()) {
            throw unexpected(answer, "compatibility level");
        }
        return level.asText();
    }

    /** HTTP requests sent so far, failed ones included: shows the caches at work. */
    public long requestsSent() {
        return http.requestsSent();
    }

    private int remember(String subject, Schema schema, int id) {
        idsBySubjectSchema.putIfAbsent(new SubjectSchema(subject, schema), id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    private static RegistryException notFoundAs(String subject, RegistryException e) {
        return e.httpStatus() == 404 ? new SchemaNotRegisteredException(subject, e) : e;
    }

    private static Map<String, String> schemaBody(Schema schema) {
        return Map.of("schema", schema.toString());
    }

    private static String subjectPath(String subject) {
        return "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String configPath(String subject) {
        return subject == null
                ? "/config"
                : "/config/"
                        + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Schema parseAvro(JsonNode answer, String what) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new RegistryException(
                    "The registry at " + settings.baseUrl() + " holds a " + type + " schema for " + what
                            + "; only Avro is supported",
                    200,
                    0,
                    null);
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw unexpected(answer, what);
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw new RegistryException(
                    "The registry at " + settings.baseUrl() + " returned an unparsable Avro schema for " + what + ": "
                            + e.getMessage(),
                    200,
                    0,
                    e);
        }
    }

    private int requireInt(JsonNode answer, String field, String what) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw unexpected(answer, what);
        }
        return value.intValue();
    }

    private RegistryException unexpected(JsonNode answer, String what) {
        return new RegistryException(
                "Unexpected answer from the registry at " + settings.baseUrl() + " for " + what + ": " + answer,
                200,
                0,
                null);
    }
}
