package io.resnetstream.topology;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health and metrics answer on loopback unless a deployment says otherwise; the container image says otherwise, so
 * that probes and Prometheus reach them. {@code SecureConnectionsIT} checks the packaged service's bound address.
 */
class HttpBindingTest {

    @Test
    void theServiceBindsLoopbackByDefault() throws IOException {
        Properties p = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            p.load(in);
        }

        assertThat(p.getProperty("quarkus.http.host")).isEqualTo("127.0.0.1");
        assertThat(p.stringPropertyNames()).noneMatch(k -> k.startsWith("%prod.quarkus.http.host"));
    }

    @Test
    void theContainerImageOpensItToTheContainersNetwork() throws IOException {
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("QUARKUS_HTTP_HOST=0.0.0.0");
    }
}
