package io.resnetstream.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.resnetstream.testing.FakeRegistryServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's requests and its reading of answers, against canned answers; the real registry is in the IT. */
class HttpSchemaRegistryTest {
    private static final Schema ORDER = SchemaBuilder.record("Order")
            .namespace("test")
            .fields()
            .requiredString("id")
            .endRecord();
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeRegistryServer registry;
    private HttpSchemaRegistry client;

    @BeforeEach
    void start() throws IOException {
        registry = FakeRegistryServer.http();
        client = new HttpSchemaRegistry(RegistrySettings.builder(registry.url()).build());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void registerSendsTheSchemaAsConfluentJsonAndCachesTheId() throws IOException {
        registry.answer("POST", "/subjects/orders-value/versions", 200, "{\"id\":7}");

        assertThat(client.register("orders-value", ORDER)).isEqualTo(7);
        assertThat(client.register("orders-value", ORDER)).isEqualTo(7);
        assertThat(client.getById(7)).isEqualTo(ORDER);

        assertThat(registry.requests()).hasSize(1);
        FakeRegistryServer.Request request = registry.requests().get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.header("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(request.header("Authorization")).isNull();
        assertThat(JSON.readTree(request.body()).get("schema").asText()).isEqualTo(ORDER.toString());
    }

    @Test
    void getByIdAsksOnceThenServesFromTheCache() {
        registry.answer("GET", "/schemas/ids/5", 200, "{\"schema\":" + quoted(ORDER.toString()) + "}");

        assertThat(client.getById(5)).isEqualTo(ORDER);
        assertThat(client.getById(5)).isEqualTo(ORDER);

        assertThat(client.requestsSent()).isEqualTo(1);
    }

    /** What the registry holds under an id but an Avro reader cannot use: the record's fault, like an unknown id. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a PROTOBUF schema | {\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}",
                "a JSON schema     | {\"schemaType\":\"JSON\",\"schema\":\"{}\"}",
                "references        | {\"schema\":\"\\\"string\\\"\",\"references\":[{\"name\":\"a\",\"subject\":\"a\",\"version\":1}]}",
                "unparsable text   | {\"schema\":\"{not avro\"}",
            })
    void aSchemaAnAvroReaderCannotUseIsUnusableNotARegistryFailure(String what, String answer) {
        registry.answer("GET", "/schemas/ids/12", 200, answer);

        assertThatThrownBy(() -> client.getById(12))
                .isInstanceOfSatisfying(UnusableSchemaException.class, e -> assertThat(e.schemaId())
                        .isEqualTo(12));
    }

    @Test
    void aRegistryThatFailsIsARegistryExceptionWithItsStatus() {
        registry.answer("GET", "/schemas/ids/13", 503, "{\"error_code\":50301,\"message\":\"overloaded\"}");

        assertThatThrownBy(() -> client.getById(13))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(503))
                .isNotInstanceOf(UnknownSchemaException.class);
        assertThat(RetryingSchemaRegistry.isTransient(new RegistryException("x", 503, 0, null)))
                .isTrue();
    }

    @Test
    void anUnknownIdIsAnUnknownSchemaExceptionCarryingTheId() {
        registry.answer("GET", "/schemas/ids/99", 404, "{\"error_code\":40403,\"message\":\"Schema 99 not found.\"}");

        assertThatThrownBy(() -> client.getById(99))
                .isInstanceOfSatisfying(UnknownSchemaException.class, e -> assertThat(e.schemaId())
                        .isEqualTo(99))
                .hasMessageContaining("99")
                .hasMessageContaining(registry.url());
    }

    @Test
    void lookingUpAnAbsentSchemaIsSchemaNotRegistered() {
        registry.answer(
                "POST",
                "/subjects/orders-value",
                404,
                "{\"error_code\":40403,\"message\":\"The given schema does not match any schema under the subject\"}");

        assertThatThrownBy(() -> client.lookup("orders-value", ORDER))
                .isInstanceOfSatisfying(SchemaNotRegisteredException.class, e -> {
                    assertThat(e.subject()).isEqualTo("orders-value");
                    assertThat(e.errorCode()).isEqualTo(40403);
                })
                .hasMessageContaining("does not match any schema");
    }

    @Test
    void aConflictIsAnIncompatibleSchemaExceptionWithTheRegistrysReason() {
        registry.answer(
                "POST",
                "/subjects/orders-value/versions",
                409,
                "{\"error_code\":409,\"message\":\"Incompatible artifact: orders-value [AVRO]\"}");

        assertThatThrownBy(() -> client.register("orders-value", ORDER))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.subject()).isEqualTo("orders-value");
                })
                .hasMessageContaining("Incompatible artifact: orders-value [AVRO]");
    }

    @Test
    void anErrorPageThatIsNotJsonStillGivesStatusAndBody() {
        registry.answer("GET", "/schemas/ids/1", 502, "text/html", "<html>Bad Gateway</html>");

        assertThatThrownBy(() -> client.getById(1))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(502);
                    assertThat(e.errorCode()).isZero();
                })
                .hasMessageContaining("HTTP 502")
                .hasMessageContaining("<html>Bad Gateway</html>")
                .hasMessageContaining(registry.url() + "/schemas/ids/1");
    }

    @Test
    void aSchemaThatIsNotAvroIsRefused() {
        registry.answer(
                "GET", "/schemas/ids/3", 200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");

        // the record's fault (it names a schema we cannot read), not the registry's: dead-lettered, not retried
        assertThatThrownBy(() -> client.getById(3))
                .isInstanceOf(UnusableSchemaException.class)
                .hasMessageContaining("PROTOBUF");
    }

    @Test
    void basicAuthIsSentOnEveryRequest() {
        registry.answer("GET", "/schemas/ids/5", 200, "{\"schema\":" + quoted(ORDER.toString()) + "}");
        HttpSchemaRegistry authenticated = new HttpSchemaRegistry(RegistrySettings.builder(registry.url())
                .basicAuth("svc", "pa:ss")
                .build());

        authenticated.getById(5);

        assertThat(registry.requests().get(0).header("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("svc:pa:ss".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void subjectsAreEscapedInPaths() {
        registry.answer("POST", "/subjects/odd%20name%2Fx/versions", 200, "{\"id\":1}");

        assertThat(client.register("odd name/x", ORDER)).isEqualTo(1);
    }

    @Test
    void compatibilityIsSetAndReadPerSubjectOrGlobally() throws IOException {
        registry.answer("PUT", "/config", 200, "{\"compatibility\":\"BACKWARD\"}")
                .answer("GET", "/config/orders-value?defaultToGlobal=true", 200, "{\"compatibilityLevel\":\"FULL\"}")
                .answer(
                        "POST",
                        "/compatibility/subjects/orders-value/versions/latest",
                        200,
                        "{\"is_compatible\":false}");

        client.setCompatibility(null, "BACKWARD");

        assertThat(JSON.readTree(registry.requests().get(0).body())
                        .get("compatibility")
                        .asText())
                .isEqualTo("BACKWARD");
        assertThat(client.getCompatibility("orders-value")).isEqualTo("FULL");
        assertThat(client.isCompatible("orders-value", ORDER)).isFalse();
    }

    @Test
    void anUnreachableRegistryIsNamedInTheMessage() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/apis/ccompat/v7";
        HttpSchemaRegistry nowhere =
                new HttpSchemaRegistry(RegistrySettings.builder(url).build());

        assertThatThrownBy(() -> nowhere.getById(1))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.httpStatus()).isZero())
                .hasMessageContaining("unreachable")
                .hasMessageContaining(url);
    }

    private static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
