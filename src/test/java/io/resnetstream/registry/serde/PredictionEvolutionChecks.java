package io.resnetstream.registry.serde;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.IncompatibleSchemaException;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.testing.PredictionVersions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The evolution rule of docs/consumers.md on a registry: a {@code Prediction} v2 with a new defaulted field is
 * accepted and read by a consumer built on today's schema (v1), and changes the rule forbids are refused. Run on the
 * in-memory registry ({@link PredictionEvolutionTest}) and on the real one ({@link PredictionEvolutionIT}).
 */
abstract class PredictionEvolutionChecks {
    /** A registry with BACKWARD compatibility for the subjects the checks use. */
    abstract SchemaRegistry registry();

    /** A topic of this run's own, so its subject starts empty. */
    abstract String freshTopic();

    private SchemaRegistry registry;
    private String topic;
    private String subject;

    @BeforeEach
    void registerToday() {
        registry = registry();
        topic = freshTopic();
        subject = TopicNameStrategy.subject(topic, false);
        registry.setCompatibility(subject, "BACKWARD");
        // v1: what the service registers on first use
        registry.register(subject, Prediction.getClassSchema());
    }

    @Test
    void aV1ConsumerReadsV2WithItsNewDefaultedField() {
        Prediction written = PredictionVersions.sample("img-v2");
        byte[] v2 = PredictionVersions.writeV2(registry, topic, written, "canary");

        assertThat(WireFormat.parse(v2).schemaId()).isNotEqualTo(registry.lookup(subject, Prediction.getClassSchema()));
        Prediction read = new AvroDeserializer<>(registry, Prediction.class).deserialize(topic, v2);
        assertThat(read).isEqualTo(written); // the field it does not know is skipped
        // and a v2 reader sees the new field; on v1 records, its default
        GenericAvroDeserializer generic = new GenericAvroDeserializer(registry);
        assertThat(generic.deserialize(topic, v2)
                        .get(PredictionVersions.NEW_FIELD)
                        .toString())
                .isEqualTo("canary");
        byte[] v1 = new AvroSerde<>(registry, Prediction.class, SerdeOptions.values())
                .serializer()
                .serialize(topic, written);
        Schema v2Schema = PredictionVersions.v2WithDefaultedField();
        assertThat(new AvroDeserializerOf(registry, v2Schema)
                        .read(topic, v1)
                        .get(PredictionVersions.NEW_FIELD)
                        .toString())
                .isEqualTo(PredictionVersions.NEW_FIELD_DEFAULT);
    }

    @Test
    void aNewFieldWithoutDefaultIsRefused() {
        assertRefused(PredictionVersions.withNewFieldWithoutDefault());
    }

    @Test
    void aTypeChangeIsRefused() {
        assertRefused(PredictionVersions.withTypeChanged("cropsAveraged", "string"));
    }

    /**
     * BACKWARD lets a new version drop a field (its reader ignores the old values), but a consumer still on v1 cannot
     * read what v2 writes when the dropped field had no default. The rule forbids it; FULL makes the registry refuse
     * it too (docs/consumers.md).
     */
    @Test
    void aRemovedRequiredFieldPassesBackwardButNotFull() {
        Schema withoutVotes = PredictionVersions.withFieldRemoved("topCropVotes");
        assertThat(registry.isCompatible(subject, withoutVotes))
                .as("under BACKWARD")
                .isTrue();
        registry.setCompatibility(subject, "FULL");
        assertRefused(withoutVotes);
    }

    private void assertRefused(Schema next) {
        assertThat(registry.isCompatible(subject, next)).isFalse();
        assertThatThrownBy(() -> registry.register(subject, next))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> assertThat(e.httpStatus())
                        .isEqualTo(409));
    }

    /** A generic reader with a reader schema of our choosing: v2, as a consumer that upgraded would hold. */
    private record AvroDeserializerOf(SchemaRegistry registry, Schema reader) {
        GenericRecord read(String topic, byte[] value) {
            WireFormat.Frame frame = WireFormat.parse(value);
            Schema writer = registry.getById(frame.schemaId());
            try {
                return new GenericDatumReader<GenericRecord>(writer, reader)
                        .read(
                                null,
                                DecoderFactory.get()
                                        .binaryDecoder(
                                                frame.value(), frame.payloadOffset(), frame.payloadLength(), null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
