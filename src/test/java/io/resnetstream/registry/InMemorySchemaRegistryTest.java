package io.resnetstream.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The in-memory registry keeps the rules the serdes and the topology tests rely on. */
class InMemorySchemaRegistryTest {
    private static final Schema V1 =
            SchemaBuilder.record("Thing").fields().requiredString("id").endRecord();
    private static final Schema V2_WITH_DEFAULT = SchemaBuilder.record("Thing")
            .fields()
            .requiredString("id")
            .name("size")
            .type()
            .intType()
            .intDefault(0)
            .endRecord();
    private static final Schema V2_REQUIRED = SchemaBuilder.record("Thing")
            .fields()
            .requiredString("id")
            .requiredInt("size")
            .endRecord();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void oneIdPerSchemaAcrossSubjectsAndRegisteringTwiceIsANoOp() {
        int id = registry.register("a-value", V1);

        assertThat(registry.register("a-value", V1)).isEqualTo(id);
        assertThat(registry.register("b-value", V1)).isEqualTo(id);
        assertThat(registry.lookup("b-value", V1)).isEqualTo(id);
        assertThat(registry.getById(id)).isEqualTo(V1);
        assertThat(registry.latest("a-value")).isEqualTo(new RegisteredSchema("a-value", 1, id, V1));
    }

    @Test
    void unknownIdsAndSubjectsFailAsTheHttpRegistrysDo() {
        registry.register("a-value", V1);

        assertThatThrownBy(() -> registry.getById(999))
                .isInstanceOfSatisfying(UnknownSchemaException.class, e -> assertThat(e.schemaId())
                        .isEqualTo(999));
        assertThatThrownBy(() -> registry.lookup("other-value", V1))
                .isInstanceOfSatisfying(SchemaNotRegisteredException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(40401));
        assertThatThrownBy(() -> registry.lookup("a-value", V2_WITH_DEFAULT))
                .isInstanceOfSatisfying(SchemaNotRegisteredException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(40403));
        assertThatThrownBy(() -> registry.latest("other-value")).isInstanceOf(SchemaNotRegisteredException.class);
    }

    @Test
    void backwardByDefaultRefusesANewRequiredFieldAndAcceptsOneWithADefault() {
        registry.register("a-value", V1);

        assertThat(registry.getCompatibility("a-value")).isEqualTo("BACKWARD");
        assertThat(registry.isCompatible("a-value", V2_REQUIRED)).isFalse();
        assertThatThrownBy(() -> registry.register("a-value", V2_REQUIRED))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> assertThat(e.subject())
                        .isEqualTo("a-value"));
        int v2 = registry.register("a-value", V2_WITH_DEFAULT);
        assertThat(registry.latest("a-value").version()).isEqualTo(2);
        assertThat(registry.latest("a-value").id()).isEqualTo(v2);
    }

    @Test
    void aSubjectsOwnLevelWinsOverTheGlobalOne() {
        registry.register("a-value", V1);
        registry.setCompatibility("a-value", "NONE");

        assertThat(registry.getCompatibility("a-value")).isEqualTo("NONE");
        assertThat(registry.getCompatibility(null)).isEqualTo("BACKWARD");
        assertThat(registry.register("a-value", V2_REQUIRED)).isPositive();
        assertThatThrownBy(() -> registry.setCompatibility(null, "SIDEWAYS")).isInstanceOf(RegistryException.class);
    }
}
