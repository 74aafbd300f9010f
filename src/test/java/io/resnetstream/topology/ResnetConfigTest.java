package io.resnetstream.topology;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.ingest.InputFormat;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.testing.TestConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The typed, grouped settings: their defaults, the spellings they accept, and where they lead. */
class ResnetConfigTest {

    @Test
    void theDefaultsAreThoseOfTheFlatSettingsTheyReplaced() {
        ResnetConfig config = TestConfig.resnet(Map.of());

        assertThat(config.model().dir()).isEqualTo(Path.of("models/shapes-resnet20"));
        assertThat(config.model().cropScheme()).isEqualTo(CropScheme.TEN_CROP);
        assertThat(config.model().normalization()).isEmpty();
        assertThat(config.model().resize()).isEmpty();
        assertThat(config.model().crop()).isEmpty();
        assertThat(config.model().topK()).isEqualTo(5);
        assertThat(config.batch().maxImages()).isEqualTo(16);
        assertThat(config.batch().maxDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.batch().inFlight()).isEqualTo(2);
        assertThat(config.batch().preprocessThreads()).isZero();
        assertThat(config.limits().imageBytes()).isEqualTo(20_971_520L);
        assertThat(config.limits().imagePixels()).isEqualTo(40_000_000L);
        assertThat(config.limits().deadLetterPayloadCap()).isEqualTo(65_536);
        assertThat(config.fetch().allowedSchemes()).isEmpty();
        assertThat(config.fetch().allowedPrefixes()).isEmpty();
        assertThat(config.registry().url()).isEqualTo("http://127.0.0.1:8081/apis/ccompat/v7");
        assertThat(config.registry().basicAuth()).isEmpty();
        assertThat(config.registry().autoRegister()).isTrue();
        assertThat(config.registry().trustStore().location()).isEmpty();
        assertThat(config.registry().keyStore().location()).isEmpty();
        assertThat(config.topics().images()).isEqualTo("images");
        assertThat(config.topics().predictions()).isEqualTo("predictions");
        assertThat(config.topics().deadLetters()).isEqualTo("images-dlq");
        assertThat(config.inputFormat()).isEqualTo(InputFormat.AVRO);
        assertThat(config.applicationId()).isEqualTo("resnet-stream");
        assertThat(config.stateDir()).isEqualTo(System.getProperty("java.io.tmpdir") + "/resnet-stream-state");
        assertThat(config.fetchBytes()).isEqualTo(26_214_400);
        assertThat(config.replicationFactor()).isEqualTo(1);
    }

    @Test
    void enumsTakeTheDocumentedSpellingOrTheConstantName() {
        for (String spelling : List.of("ten-crop", "TEN_CROP")) {
            assertThat(TestConfig.resnet(Map.of("resnet.model.crop-scheme", spelling))
                            .model()
                            .cropScheme())
                    .isEqualTo(CropScheme.TEN_CROP);
        }
        assertThat(TestConfig.resnet(Map.of("resnet.model.crop-scheme", "center-crop"))
                        .model()
                        .cropScheme())
                .isEqualTo(CropScheme.CENTER_CROP);
        assertThat(TestConfig.resnet(Map.of("resnet.model.normalization", "torch"))
                        .model()
                        .normalization())
                .contains(Normalization.TORCH);
        assertThat(TestConfig.resnet(Map.of("resnet.model.normalization", "CAFFE"))
                        .model()
                        .normalization())
                .contains(Normalization.CAFFE);
        assertThat(TestConfig.resnet(Map.of("resnet.input-format", "raw")).inputFormat())
                .isEqualTo(InputFormat.RAW);
        assertThat(TestConfig.resnet(Map.of("resnet.input-format", "AVRO")).inputFormat())
                .isEqualTo(InputFormat.AVRO);
        assertThatThrownBy(() -> TestConfig.resnet(Map.of("resnet.model.crop-scheme", "five-crop")))
                .hasMessageContaining("five-crop")
                .hasMessageContaining("center-crop");
    }

    @Test
    void theBatchDelayIsADurationWithAUnit() {
        assertThat(maxDelay("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(maxDelay("PT0.1S")).isEqualTo(Duration.ofMillis(100));
        assertThat(maxDelay("2s")).isEqualTo(Duration.ofSeconds(2));
        // Quarkus would read a bare 200 as seconds; the old max-batch-delay-ms read it as milliseconds.
        assertThatThrownBy(() -> maxDelay("200")).hasMessageContaining("200ms");
    }

    @Test
    void overridesAndOptionalSettingsAreRead() {
        ResnetConfig config = TestConfig.resnet(Map.of(
                "resnet.model.resize",
                "256",
                "resnet.model.crop",
                "224",
                "resnet.fetch.allowed-schemes",
                "file,https",
                "resnet.fetch.allowed-prefixes",
                "file:/data/",
                "resnet.topics.dead-letters",
                "elsewhere"));

        assertThat(config.model().resize()).isEqualTo(OptionalInt.of(256));
        assertThat(config.model().crop()).isEqualTo(OptionalInt.of(224));
        assertThat(config.fetch().allowedSchemes()).contains(List.of("file", "https"));
        assertThat(config.fetch().allowedPrefixes()).contains(List.of("file:/data/"));
        assertThat(config.topics().deadLetters()).isEqualTo("elsewhere");
    }

    @Test
    void theRegistrySettingsCarryAuthAndBothStoresForMutualTls() {
        ResnetConfig config = TestConfig.resnet(Map.of(
                "resnet.registry.url", "https://registry.example:8081/apis/ccompat/v7",
                "resnet.registry.basic-auth", "svc:pa:ss",
                "resnet.registry.trust-store.path", "/etc/tls/trust.p12",
                "resnet.registry.trust-store.password", "trust-secret",
                "resnet.registry.trust-store.type", "PKCS12",
                "resnet.registry.key-store.path", "/etc/tls/client.jks",
                "resnet.registry.key-store.password", "key-secret"));

        RegistrySettings settings = Pipeline.registrySettings(config.registry());

        assertThat(settings.baseUrl()).hasToString("https://registry.example:8081/apis/ccompat/v7");
        assertThat(settings.basicAuth()).isEqualTo(new RegistrySettings.BasicAuth("svc", "pa:ss"));
        assertThat(settings.trustStore())
                .isEqualTo(new RegistrySettings.StoreLocation(Path.of("/etc/tls/trust.p12"), "trust-secret", "PKCS12"));
        assertThat(settings.keyStore())
                .isEqualTo(new RegistrySettings.StoreLocation(
                        Path.of("/etc/tls/client.jks"), "key-secret", RegistrySettings.DEFAULT_STORE_TYPE));
    }

    @Test
    void withoutStoresTheRegistryUsesTheJvmsTrust() {
        RegistrySettings settings =
                Pipeline.registrySettings(TestConfig.resnet(Map.of()).registry());

        assertThat(settings.baseUrl()).hasToString(ResnetConfig.Registry.DEFAULT_URL);
        assertThat(settings.basicAuth()).isNull();
        assertThat(settings.trustStore()).isNull();
        assertThat(settings.keyStore()).isNull();
    }

    @Test
    void anOldFlatKeyStopsTheStartAndNamesItsNewKey() {
        var config = new SmallRyeConfigBuilder()
                .withSources(
                        new PropertiesConfigSource(Map.of("resnet.max-batch-delay-ms", "200"), "test", 500),
                        new EnvConfigSource(Map.of("RESNET_MAX_BATCH_IMAGES", "32"), 300))
                .build();

        assertThatThrownBy(() -> RenamedSettings.rejectOldKeys(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("resnet.max-batch-delay-ms (set in PropertiesConfigSource[source=test]) is now "
                        + "resnet.batch.max-delay, with a unit")
                .hasMessageContaining(
                        "resnet.max-batch-images (set in EnvConfigSource) is now resnet.batch.max-images");
    }

    @Test
    void anEnvironmentVariableThatKeptItsNameIsNoOldKey() {
        // RESNET_MODEL_DIR is the variable of resnet.model.dir now, as it was of resnet.model-dir.
        var config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(
                        Map.of(
                                "RESNET_MODEL_DIR",
                                "/models/resnet50",
                                "RESNET_REGISTRY_URL",
                                "http://registry:8080/apis/ccompat/v7"),
                        300))
                .build();

        RenamedSettings.rejectOldKeys(config);
        assertThat(config.getConfigValue("resnet.model.dir").getValue()).isEqualTo("/models/resnet50");
    }

    private static Duration maxDelay(String value) {
        return TestConfig.resnet(Map.of("resnet.batch.max-delay", value))
                .batch()
                .maxDelay();
    }
}
