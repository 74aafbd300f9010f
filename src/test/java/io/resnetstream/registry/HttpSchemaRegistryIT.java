package io.resnetstream.registry;

import java.io.IOException;
import java.net.ServerSocket;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import io.resnetstream.testing.LocalStack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against a real registry (Apicurio's Confluent API by default; see {@link ItRegistry}). */
class HttpSchemaRegistryIT {
    private static final Schema V1 = SchemaBuilder.record("Reading")
            .namespace("it.registry")
            .fields()
            .requiredString("sensor")
            .requiredDouble("value")
            .endRecord();
    private static final Schema V2_NEW_FIELD_WITHOUT_DEFAULT = SchemaBuilder.record("Reading")
            .namespace("it.registry")
            .fields()
            .requiredString("sensor")
            .requiredDouble("value")
            .requiredString("unit")
            .endRecord();
    private static final Schema V2_NEW_FIELD_WITH_DEFAULT = SchemaBuilder.record("Reading")
            .namespace("it.registry")
            .fields()
            .requiredString("sensor")
            .requiredDouble("value")
            .name("unit")
            .type()
            .stringType()
            .stringDefault("celsius")
            .endRecord();

    @Test
    void registersThenFetchesByIdAndLooksUp() {
        String subject = LocalStack.unique("readings-value");

        int id = LocalStack.newRegistryClient().register(subject, V1);

        HttpSchemaRegistry elsewhere = LocalStack.newRegistryClient();
        assertThat(elsewhere.getById(id)).isEqualTo(V1);
        assertThat(elsewhere.lookup(subject, V1)).isEqualTo(id);
        assertThat(elsewhere.latest(subject)).isEqualTo(new RegisteredSchema(subject, 1, id, V1));
        assertThat(LocalStack.newRegistryClient().register(subject, V1))
                .as("registering again")
                .isEqualTo(id);
    }

    @Test
    void asksTheRegistryOnlyOncePerIdAndPerSubjectSchema() {
        String subject = LocalStack.unique("readings-value");
        int id = LocalStack.newRegistryClient().register(subject, V1);
        HttpSchemaRegistry client = LocalStack.newRegistryClient();

        client.getById(id);
        client.getById(id);
        assertThat(client.requestsSent()).isEqualTo(1);

        client.lookup(subject, V1);
        client.lookup(subject, V1);
        client.register(subject, V1);
        assertThat(client.requestsSent()).isEqualTo(2);
    }

    @Test
    void lookingUpWhatIsNotThereIsSchemaNotRegistered() {
        String subject = LocalStack.unique("readings-value");
        HttpSchemaRegistry client = LocalStack.newRegistryClient();

        assertThatThrownBy(() -> client.lookup(subject, V1))
                .isInstanceOfSatisfying(SchemaNotRegisteredException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(40401));
        assertThatThrownBy(() -> client.latest(subject)).isInstanceOf(SchemaNotRegisteredException.class);

        client.register(subject, V1);
        assertThatThrownBy(() -> client.lookup(subject, V2_NEW_FIELD_WITH_DEFAULT))
                .isInstanceOfSatisfying(SchemaNotRegisteredException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(40403));
    }

    @Test
    void anUnknownIdIsUnknownSchemaException() {
        assertThatThrownBy(() -> LocalStack.newRegistryClient().getById(Integer.MAX_VALUE))
                .isInstanceOfSatisfying(UnknownSchemaException.class, e -> assertThat(e.schemaId())
                        .isEqualTo(Integer.MAX_VALUE))
                .hasMessageContaining(LocalStack.REGISTRY_URL);
    }

    @Test
    void backwardCompatibilityRefusesANewFieldWithoutDefaultAndAcceptsOneWithDefault() {
        String subject = LocalStack.unique("readings-value");
        HttpSchemaRegistry client = LocalStack.newRegistryClient();
        client.setCompatibility(subject, "BACKWARD");
        assertThat(client.getCompatibility(subject)).isEqualTo("BACKWARD");
        int v1 = client.register(subject, V1);

        assertThat(client.isCompatible(subject, V2_NEW_FIELD_WITHOUT_DEFAULT)).isFalse();
        assertThatThrownBy(() -> client.register(subject, V2_NEW_FIELD_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.subject()).isEqualTo(subject);
                })
                .hasMessageContaining("unit");

        assertThat(client.isCompatible(subject, V2_NEW_FIELD_WITH_DEFAULT)).isTrue();
        int v2 = client.register(subject, V2_NEW_FIELD_WITH_DEFAULT);
        assertThat(v2).isNotEqualTo(v1);
        assertThat(client.latest(subject)).isEqualTo(new RegisteredSchema(subject, 2, v2, V2_NEW_FIELD_WITH_DEFAULT));
    }

    @Test
    void readsTheGlobalCompatibilityLevel() {
        assertThat(LocalStack.newRegistryClient().getCompatibility(null))
                .isIn(
                        "NONE",
                        "BACKWARD",
                        "BACKWARD_TRANSITIVE",
                        "FORWARD",
                        "FORWARD_TRANSITIVE",
                        "FULL",
                        "FULL_TRANSITIVE");
    }

    @Test
    void aRegistryThatIsDownIsNamedInTheError() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/apis/ccompat/v7";
        HttpSchemaRegistry client =
                new HttpSchemaRegistry(RegistrySettings.builder(url).build());

        assertThatThrownBy(() -> client.register(LocalStack.unique("readings-value"), V1))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.httpStatus()).isZero())
                .hasMessageContaining(url)
                .hasMessageContaining("unreachable");
    }
}
