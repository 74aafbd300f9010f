package io.resnetstream.topology;

import java.time.Instant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the schema registry does not answer: records wait (they are retried, never dead-lettered for
 * it), and the operator sees why. Liveness stays up: restarting the service would not bring the registry back.
 */
@Readiness
@ApplicationScoped
public class RegistryReadiness implements HealthCheck {

    @Inject
    TopologyProducer producer;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("schema-registry");
        Pipeline pipeline = producer.pipeline();
        long since = pipeline == null ? 0 : pipeline.registry().unavailableSince();
        if (since == 0) {
            return response.up().build();
        }
        return response.down()
                .withData("unavailable-since", Instant.ofEpochMilli(since).toString())
                .withData("last-failure", String.valueOf(pipeline.registry().lastFailure()))
                .build();
    }
}
