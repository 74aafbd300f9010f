package io.resnetstream.topology;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.Quarkus;

/** Gives Quarkus the pipeline's topology; Quarkus runs it with the {@code kafka-streams.*} settings. */
@ApplicationScoped
public class TopologyProducer {
    private static final Logger LOG = Logger.getLogger(TopologyProducer.class);

    @Inject
    ResnetConfig config;

    /** Everything set, to refuse the renamed flat keys of earlier releases. */
    @Inject
    Config allSettings;

    @Inject
    MeterRegistry meters;

    /** Quarkus' OpenTelemetry: a no-op tracer unless {@code quarkus.otel.sdk.disabled=false}. */
    @Inject
    OpenTelemetry openTelemetry;

    private Pipeline pipeline;

    @Produces
    @Singleton // one model, one topology: Quarkus looks the topology up more than once
    public Topology buildTopology() {
        RenamedSettings.rejectOldKeys(allSettings);
        pipeline = Pipeline.assemble(config, meters, openTelemetry);
        return pipeline.topology();
    }

    /**
     * A failed stream thread (a model or native error) has aborted its transaction, so nothing is lost;
     * exit so the supervisor (Kubernetes, compose, the demo) starts a clean process.
     */
    @Produces
    public KafkaStreams.StateListener exitOnError() {
        return (newState, oldState) -> {
            if (newState == KafkaStreams.State.ERROR) {
                LOG.error("Kafka Streams failed; exiting so the process restarts cleanly");
                Quarkus.asyncExit(1);
            }
        };
    }

    /**
     * A stream thread that fails has aborted its transaction; what it held is read again. Kafka Streams replaces the
     * thread, so the service stays up: a registry that stopped answering, or a failed batch (whose images then run
     * alone, and are quarantined if they keep failing). Only an {@link Error} (out of memory, a broken native
     * library) ends the process, which may be in no state to go on.
     */
    @Produces
    public StreamsUncaughtExceptionHandler replaceFailedThreads() {
        return failure -> {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof Error) {
                    LOG.error("stream thread failed with an error; shutting down so the process restarts", failure);
                    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                }
            }
            LOG.warn("stream thread failed; replacing it (its uncommitted work is redone)", failure);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        };
    }

    /** The assembled pipeline, once Quarkus has asked for the topology. */
    Pipeline pipeline() {
        return pipeline;
    }

    @PreDestroy
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }
}
