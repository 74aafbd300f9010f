package io.resnetstream.registry.serde;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** Finds the generated class behind a schema, with its model (which carries the logical type conversions). */
final class SpecificTypes {

    private SpecificTypes() {}

    static Schema schemaOf(Class<? extends SpecificRecord> type) {
        return SpecificData.getForClass(type).getSchema(type);
    }

    /** The generated class's own model: the plain SpecificData would read timestamp-millis as long, not Instant. */
    static SpecificData modelFor(Schema schema) {
        SpecificData model = SpecificData.getForSchema(schema);
        if (model.getClass(schema) == null) {
            throw new IllegalArgumentException("No generated class for " + schema.getFullName() + " on the class path");
        }
        return model;
    }
}
