package io.resnetstream.topology;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.resnetstream.registry.InMemorySchemaRegistry;
import io.resnetstream.testing.ColourClassifier;
import io.resnetstream.testing.TestConfig;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings that would fail every record are refused when the pipeline is assembled, naming the setting. */
class StartupChecksTest {

    @TempDir
    Path stateDir;

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "resnet.model.top-k, 0, top-k",
        "resnet.batch.max-images, 0, resnet.batch",
        "resnet.batch.max-bytes, 0, resnet.batch",
        "resnet.batch.max-attempts, 0, resnet.batch",
        "resnet.batch.deadline, 0s, resnet.batch",
        "resnet.limits.id-bytes, 0, resnet.limits",
        "resnet.limits.jpeg-scans, 0, resnet.limits",
        "resnet.limits.dead-letter-payload-cap, 20000000, dead-letter-payload-cap",
        "resnet.fetch.max-attempts, 0, resnet.fetch",
        "resnet.fetch.timeout, 0s, resnet.fetch",
        "resnet.fetch.allowed-networks, 10.0.0.0/33, prefix length",
        "resnet.fetch.allowed-networks, internal.example.com/8, not an IP network",
    })
    void aSettingThatWouldFailEveryRecordIsRefusedAtStart(String key, String value, String named) {
        assertThatThrownBy(() -> assemble(Map.of(key, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(named);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"resnet.model.top-k, 1", "resnet.model.top-k, 8", "resnet.batch.max-bytes, 1"})
    void theLimitsThemselvesAreAccepted(String key, String value) {
        assertThatCode(() -> assemble(Map.of(key, value)).close()).doesNotThrowAnyException();
    }

    @Test
    void fetchesWhoseRetriesCouldOutlastTheirBatchAreRefused() {
        Map<String, String> settings = Map.of(
                "resnet.fetch.allowed-schemes", "https",
                "resnet.fetch.allowed-prefixes", "https://images.example.com/",
                "resnet.fetch.timeout", "20s",
                "resnet.fetch.max-attempts", "3");
        assertThatThrownBy(() -> assemble(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resnet.batch.deadline");
        Map<String, String> shorter = new java.util.HashMap<>(settings);
        shorter.put("resnet.fetch.timeout", "5s");
        assertThatCode(() -> assemble(shorter).close()).doesNotThrowAnyException();
    }

    private Pipeline assemble(Map<String, String> settings) {
        Map<String, String> values = new java.util.HashMap<>(settings);
        values.put("resnet.state-dir", stateDir.toString());
        return Pipeline.assemble(
                TestConfig.resnet(values),
                new SimpleMeterRegistry(),
                new ColourClassifier(),
                new InMemorySchemaRegistry());
    }
}
