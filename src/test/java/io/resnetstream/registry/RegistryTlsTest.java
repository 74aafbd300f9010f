package io.resnetstream.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.resnetstream.registry.RegistrySettings.StoreLocation;
import io.resnetstream.testing.FakeRegistryServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HTTPS with a configured trust store and a client certificate (mutual TLS). One self-signed key pair made
 * by keytool serves as the server's and the client's identity and as both sides' trust.
 */
class RegistryTlsTest {
    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;

    static StoreLocation store;
    static FakeRegistryServer registry;

    @BeforeAll
    static void startHttpsRegistry() throws IOException, InterruptedException {
        Path p12 = dir.resolve("registry.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "registry",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=127.0.0.1",
                        "-ext",
                        "SAN=ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-keystore",
                        p12.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        PASSWORD)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.log").toFile())
                .start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue())
                .as("keytool, see %s", dir.resolve("keytool.log"))
                .isZero();
        store = new StoreLocation(p12, PASSWORD, "PKCS12");
        registry = FakeRegistryServer.https(TlsContext.create(store, store), true);
        registry.answer("GET", "/schemas/ids/1", 200, "{\"schema\":\"\\\"string\\\"\"}");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void trustsTheConfiguredStoreAndPresentsTheClientCertificate() {
        HttpSchemaRegistry client = new HttpSchemaRegistry(RegistrySettings.builder(registry.url())
                .trustStore(store)
                .keyStore(store)
                .build());

        assertThat(client.getById(1)).isEqualTo(Schema.create(Schema.Type.STRING));
    }

    @Test
    void withoutTheTrustStoreTheServerIsNotTrusted() {
        HttpSchemaRegistry client = new HttpSchemaRegistry(
                RegistrySettings.builder(registry.url()).keyStore(store).build());

        assertThatThrownBy(() -> client.getById(1))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.httpStatus()).isZero())
                .hasMessageContaining("TLS")
                .hasMessageContaining(registry.url());
    }

    @Test
    void withoutAClientCertificateTheServerRefuses() {
        HttpSchemaRegistry client = new HttpSchemaRegistry(
                RegistrySettings.builder(registry.url()).trustStore(store).build());

        assertThatThrownBy(() -> client.getById(1))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.httpStatus()).isZero())
                .hasMessageContaining("client certificate")
                .hasMessageContaining(registry.url());
    }

    @Test
    void anUnreadableStoreIsReportedWithItsPath() {
        StoreLocation missing = new StoreLocation(dir.resolve("missing.p12"), PASSWORD, "PKCS12");

        assertThatThrownBy(() -> new HttpSchemaRegistry(RegistrySettings.builder(registry.url())
                        .trustStore(missing)
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.p12");
    }
}
