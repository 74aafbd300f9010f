package io.resnetstream.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.resnetstream.contracts.ClassScore;
import io.resnetstream.contracts.InputRef;
import io.resnetstream.contracts.ModelRef;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.contracts.Timings;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.registry.serde.TopicNameStrategy;
import io.resnetstream.registry.serde.WireFormat;

/**
 * Later versions of the {@code Prediction} contract, as a producer of the future might write them (docs/consumers.md,
 * evolution rule): a compatible v2 with a new defaulted field, and changes the rule forbids.
 */
public final class PredictionVersions {
    /** The field v2 adds, with its default. */
    public static final String NEW_FIELD = "modelStage";

    public static final String NEW_FIELD_DEFAULT = "production";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictionVersions() {}

    /** v2: today's schema and a new string field with a default. */
    public static Schema v2WithDefaultedField() {
        return edited(fields -> fields.addObject()
                .put("name", NEW_FIELD)
                .put("type", "string")
                .put("default", NEW_FIELD_DEFAULT)
                .put("doc", "production, canary or shadow"));
    }

    /** A new field without a default: a reader of this version cannot read the records already written. */
    public static Schema withNewFieldWithoutDefault() {
        return edited(fields -> fields.addObject().put("name", NEW_FIELD).put("type", "string"));
    }

    /** A field changed to a type its old values cannot be read as. */
    public static Schema withTypeChanged(String field, String type) {
        return edited(fields -> fields.forEach(f -> {
            if (f.get("name").asText().equals(field)) {
                ((ObjectNode) f).put("type", type);
            }
        }));
    }

    /** A required field (one without a default) removed: readers that still expect it cannot read new records. */
    public static Schema withFieldRemoved(String field) {
        return edited(fields -> {
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).get("name").asText().equals(field)) {
                    fields.remove(i);
                    return;
                }
            }
            throw new IllegalArgumentException("no field " + field);
        });
    }

    private static Schema edited(Consumer<ArrayNode> edit) {
        try {
            ObjectNode schema =
                    (ObjectNode) JSON.readTree(Prediction.getClassSchema().toString());
            edit.accept((ArrayNode) schema.get("fields"));
            return new Schema.Parser().parse(schema.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A prediction as the service writes it today. */
    public static Prediction sample(String imageId) {
        return Prediction.newBuilder()
                .setImageId(imageId)
                .setModel(new ModelRef("resnet50", "2", "9f86d081884c7d65"))
                .setTopK(List.of(
                        new ClassScore(207, "golden retriever", 0.8125f),
                        new ClassScore(208, "Labrador retriever", 0.1f)))
                .setCropScheme("ten-crop")
                .setCropsAveraged(10)
                .setTopCropVotes(9)
                .setTimings(new Timings(12L, 340L, 32))
                .setSource(new InputRef("images", 3, 1_234_567L))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setPredictedAt(Instant.ofEpochMilli(1_700_000_004_567L))
                .build();
    }

    /**
     * The value a v2 producer writes for {@code prediction} with the new field set to {@code stage}: v2 registered
     * under the topic's subject, the record in the Confluent wire format. Written with Avro's generic API, as an
     * independent producer would, not with the classes generated from today's schema.
     */
    public static byte[] writeV2(SchemaRegistry registry, String topic, Prediction prediction, String stage) {
        Schema v2 = v2WithDefaultedField();
        try {
            // today's record resolved into v2 (the new field at its default), then the field set
            ByteArrayOutputStream v1 = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(v1, null);
            new SpecificDatumWriter<>(Prediction.class).write(prediction, encoder);
            encoder.flush();
            GenericRecord record = new GenericDatumReader<GenericRecord>(
                            Prediction.getClassSchema(), v2, GenericData.get())
                    .read(null, DecoderFactory.get().binaryDecoder(v1.toByteArray(), null));
            record.put(NEW_FIELD, stage);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder v2Encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(v2, GenericData.get()).write(record, v2Encoder);
            v2Encoder.flush();
            int id = registry.register(TopicNameStrategy.subject(topic, false), v2);
            return WireFormat.encode(id, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
