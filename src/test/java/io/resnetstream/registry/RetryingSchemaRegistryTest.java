package io.resnetstream.registry;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.resnetstream.contracts.Prediction;
import io.resnetstream.testing.FlakyRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryingSchemaRegistryTest {
    private final InMemorySchemaRegistry memory = new InMemorySchemaRegistry();
    private final FlakyRegistry flaky = new FlakyRegistry(memory);

    @ParameterizedTest(name = "HTTP {0}: transient {1}")
    @CsvSource({
        "0, true",
        "500, true",
        "503, true",
        "429, true",
        "408, true",
        "401, true",
        "403, true",
        "400, false",
        "404, false",
        "422, false",
        "200, false"
    })
    void theRegistrysOwnFailuresAreTransientAnswersAboutTheRequestAreNot(int status, boolean transientFailure) {
        assertThat(RetryingSchemaRegistry.isTransient(new RegistryException("x", status, 0, null)))
                .isEqualTo(transientFailure);
    }

    @Test
    void aRegistryThatComesBackIsWaitedOutAndReadinessFollows() {
        int id = memory.register("s-value", Prediction.getClassSchema());
        RetryingSchemaRegistry registry = new RetryingSchemaRegistry(flaky, Duration.ofSeconds(10));
        flaky.failures.set(3);

        assertThat(registry.getById(id)).isEqualTo(Prediction.getClassSchema());
        assertThat(flaky.calls.get()).isEqualTo(4);
        assertThat(registry.unavailableSince()).isZero();
    }

    @Test
    void pastItsRetryTimeTheFailureIsThrownAndReadinessSaysSince() {
        RetryingSchemaRegistry registry = new RetryingSchemaRegistry(flaky, Duration.ofMillis(500));
        flaky.failures.set(1_000);
        long before = System.currentTimeMillis();

        assertThatThrownBy(() -> registry.register("s-value", Prediction.getClassSchema()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("503");
        assertThat(registry.unavailableSince()).isBetween(before, System.currentTimeMillis());
        assertThat(registry.lastFailure()).contains("503");
        assertThat(flaky.calls.get()).isBetween(2, 5);
    }

    @Test
    void answersAboutTheRecordPassAtOnce() {
        RetryingSchemaRegistry registry = new RetryingSchemaRegistry(flaky, Duration.ofSeconds(10));
        int foreign = memory.registerForeign("PROTOBUF");

        assertThatThrownBy(() -> registry.getById(12345)).isInstanceOf(UnknownSchemaException.class);
        assertThatThrownBy(() -> registry.getById(foreign)).isInstanceOf(UnusableSchemaException.class);
        assertThatThrownBy(() -> registry.lookup("none-value", Prediction.getClassSchema()))
                .isInstanceOf(SchemaNotRegisteredException.class);
        assertThat(flaky.calls.get()).isEqualTo(3);
        assertThat(registry.unavailableSince()).isZero();
    }
}
