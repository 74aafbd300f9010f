package io.resnetstream.registry;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistrySettingsTest {

    @Test
    void readsConfluentsPropertyNames() {
        RegistrySettings settings = RegistrySettings.fromProperties(Map.of(
                "schema.registry.url", "https://registry.example:8081/apis/ccompat/v7/",
                "basic.auth.user.info", "svc:pa:ss",
                "schema.registry.ssl.truststore.location", "/etc/tls/trust.p12",
                "schema.registry.ssl.truststore.password", new Password("trust-secret"),
                "schema.registry.ssl.truststore.type", "PKCS12",
                "schema.registry.ssl.keystore.location", "/etc/tls/client.jks",
                "schema.registry.ssl.keystore.password", "key-secret",
                "http.connect.timeout.ms", "1500",
                "http.read.timeout.ms", 4000,
                "bootstrap.servers", "ignored:9092"));

        assertThat(settings.baseUrl()).isEqualTo(URI.create("https://registry.example:8081/apis/ccompat/v7"));
        assertThat(settings.basicAuth()).isEqualTo(new RegistrySettings.BasicAuth("svc", "pa:ss"));
        assertThat(settings.trustStore())
                .isEqualTo(new RegistrySettings.StoreLocation(Path.of("/etc/tls/trust.p12"), "trust-secret", "PKCS12"));
        assertThat(settings.keyStore())
                .isEqualTo(new RegistrySettings.StoreLocation(Path.of("/etc/tls/client.jks"), "key-secret", "JKS"));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofMillis(4000));
    }

    @Test
    void onlyTheUrlIsRequired() {
        RegistrySettings settings =
                RegistrySettings.fromProperties(Map.of("schema.registry.url", "http://127.0.0.1:8081"));

        assertThat(settings.basicAuth()).isNull();
        assertThat(settings.trustStore()).isNull();
        assertThat(settings.keyStore()).isNull();
        assertThat(settings.connectTimeout()).isEqualTo(RegistrySettings.DEFAULT_CONNECT_TIMEOUT);
        assertThat(settings.requestTimeout()).isEqualTo(RegistrySettings.DEFAULT_REQUEST_TIMEOUT);
    }

    @Test
    void credentialsInTheUrlBecomeBasicAuthAndLeaveTheUrl() {
        RegistrySettings settings = RegistrySettings.builder("http://svc:secret@127.0.0.1:8081/apis/ccompat/v7")
                .build();

        assertThat(settings.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:8081/apis/ccompat/v7"));
        assertThat(settings.basicAuth()).isEqualTo(new RegistrySettings.BasicAuth("svc", "secret"));
    }

    @Test
    void passwordsStayOutOfToString() {
        RegistrySettings settings = RegistrySettings.builder("http://127.0.0.1:8081")
                .basicAuth("svc", "auth-secret")
                .trustStore(Path.of("/t.p12"), "store-secret", "PKCS12")
                .build();

        assertThat(settings.toString()).contains("svc", "/t.p12").doesNotContain("auth-secret", "store-secret");
    }

    @Test
    void refusesWhatItCannotHonour() {
        assertThatThrownBy(() -> RegistrySettings.fromProperties(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() ->
                        RegistrySettings.fromProperties(Map.of("schema.registry.url", "http://a:8081,http://b:8081")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one registry");
        assertThatThrownBy(() -> RegistrySettings.builder("127.0.0.1:8081"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> RegistrySettings.builder("http://127.0.0.1:8081").basicAuth("no-colon"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
