package io.resnetstream.tools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.RegistryException;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.RegistrySettings.StoreLocation;
import io.resnetstream.testing.FakeRegistryServer;
import io.resnetstream.testing.TestCertificates;
import io.resnetstream.topology.Pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One client configuration (Confluent's format) reaches every connection: the tools' Kafka clients, their registry
 * client, and a service they start, whose {@code kafka-streams.*} and {@code resnet.registry.*} settings it becomes.
 * The registry side is checked for real against an HTTPS server that demands a client certificate and records the
 * basic-auth header.
 */
class ClientConfigTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"svc\" password=\"kafka-secret\";";

    @TempDir
    static Path dir;

    static TestCertificates ca;
    static StoreLocation identity;
    static FakeRegistryServer registry;

    @BeforeAll
    static void startMutualTlsRegistry() throws Exception {
        ca = TestCertificates.authority(dir, "clients");
        identity = ca.issue("registry"); // the server's certificate, and the client's too: both signed by the CA
        registry = FakeRegistryServer.https(ca.sslContext(identity), true);
        registry.answer("GET", "/schemas/ids/1", 200, "{\"schema\":\"\\\"string\\\"\"}");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void theFileAndSinglePropertiesReachTheKafkaClientsButNotTheRegistryKeys() throws Exception {
        Path file = writeClientConfig(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN"));
        BrokerOptions options = new BrokerOptions();
        new CommandLine(options)
                .parseArgs(
                        "--bootstrap", "broker:9094",
                        "--client-config", file.toString(),
                        "-X", "security.protocol=SASL_SSL",
                        "-X", "sasl.mechanism=SCRAM-SHA-512");

        Properties kafka = options.clientProperties();

        assertThat(kafka)
                .containsEntry("bootstrap.servers", "broker:9094")
                .containsEntry("security.protocol", "SASL_SSL") // -X wins over the file
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12");
        assertThat(kafka.stringPropertyNames())
                .noneMatch(k -> k.startsWith("schema.registry.") || k.startsWith("basic."));
    }

    @Test
    void aServiceStartedByAToolGetsTheSameConnectionsAsItsOwnSettings() throws Exception {
        ClientConfig client = new ClientConfig(
                "broker:9094",
                registry.url(),
                ClientConfig.read(writeClientConfig(Map.of("security.protocol", "SASL_SSL")), Map.of()));

        Map<String, String> service = client.serviceSettings();

        assertThat(service)
                .containsEntry("kafka.bootstrap.servers", "broker:9094")
                .containsEntry("kafka-streams.security.protocol", "SASL_SSL")
                .containsEntry("kafka-streams.sasl.jaas.config", JAAS)
                .containsEntry("resnet.registry.url", registry.url())
                .containsEntry("resnet.registry.basic-auth", "svc:registry-secret")
                .containsEntry("resnet.registry.key-store.path", identity.path().toString())
                .containsEntry(
                        "resnet.registry.trust-store.path",
                        ca.trustStore().path().toString());
        var config = ConfigLoader.load(service);
        // what the in-process pipeline (LocalPipeline) hands Kafka Streams; Quarkus does the same with kafka-streams.*
        assertThat(ConfigLoader.streams(config))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("processing.guarantee", "exactly_once_v2");
        // and the service's own registry client, from its resnet.registry.* settings, passes mutual TLS and auth
        RegistrySettings serviceRegistry =
                Pipeline.registrySettings(ConfigLoader.pipeline(config).registry());
        assertFetchesWithAuth(serviceRegistry);
    }

    @Test
    void theToolsRegistryClientPresentsTheCertificateAndTheCredentials() throws Exception {
        ClientConfig client = new ClientConfig(
                "broker:9094", registry.url(), ClientConfig.read(writeClientConfig(Map.of()), Map.of()));

        assertFetchesWithAuth(client.registrySettings());
    }

    @Test
    void withoutTheKeyStoreTheRegistryRefusesTheTool() throws Exception {
        Map<String, String> noKey = new HashMap<>(ClientConfig.read(writeClientConfig(Map.of()), Map.of()));
        noKey.keySet().removeIf(k -> k.startsWith("schema.registry.ssl.keystore."));
        ClientConfig client = new ClientConfig("broker:9094", registry.url(), noKey);

        assertThatThrownBy(() -> new HttpSchemaRegistry(client.registrySettings()).getById(1))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("client certificate");
    }

    @Test
    void passwordsStayOutOfItsDescription() throws Exception {
        ClientConfig client = new ClientConfig(
                "broker:9094", registry.url(), ClientConfig.read(writeClientConfig(Map.of()), Map.of()));

        assertThat(client.toString())
                .contains("sasl.jaas.config")
                .doesNotContain("kafka-secret", "registry-secret", TestCertificates.PASSWORD);
    }

    private static void assertFetchesWithAuth(RegistrySettings settings) {
        int before = registry.requests().size();

        assertThat(new HttpSchemaRegistry(settings).getById(1)).isEqualTo(Schema.create(Schema.Type.STRING));
        assertThat(registry.requests().subList(before, registry.requests().size()))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("Authorization"))
                        .isEqualTo("Basic "
                                + Base64.getEncoder()
                                        .encodeToString("svc:registry-secret".getBytes(StandardCharsets.UTF_8))));
    }

    /** A Confluent-style client configuration: Kafka over SASL_SSL, the registry with mutual TLS and basic auth. */
    private static Path writeClientConfig(Map<String, String> overrides) throws Exception {
        Properties p = new Properties();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", JAAS);
        p.put("ssl.truststore.location", "/etc/kafka/ca.p12");
        p.put("basic.auth.credentials.source", "USER_INFO");
        p.put("basic.auth.user.info", "svc:registry-secret");
        p.put("schema.registry.ssl.truststore.location", ca.trustStore().path().toString());
        p.put("schema.registry.ssl.truststore.password", TestCertificates.PASSWORD);
        p.put("schema.registry.ssl.truststore.type", "PKCS12");
        p.put("schema.registry.ssl.keystore.location", identity.path().toString());
        p.put("schema.registry.ssl.keystore.password", TestCertificates.PASSWORD);
        p.put("schema.registry.ssl.keystore.type", "PKCS12");
        p.putAll(overrides);
        Path file = Files.createTempFile(dir, "client", ".properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, null);
        }
        return file;
    }
}
