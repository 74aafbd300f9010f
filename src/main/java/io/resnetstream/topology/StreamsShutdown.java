package io.resnetstream.topology;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;

/**
 * Bounds the time from SIGTERM to exit. Quarkus closes Kafka Streams without a timeout, and a stream thread waiting
 * for a long batch can hold that close for minutes; here the close comes first, with
 * {@code resnet.shutdown-timeout}. Past it the process halts: what was not committed is aborted with its
 * transaction and read again by the next owner, so nothing is lost.
 */
@ApplicationScoped
public class StreamsShutdown {
    private static final Logger LOG = Logger.getLogger(StreamsShutdown.class);

    @Inject
    KafkaStreams streams;

    @Inject
    ResnetConfig config;

    void onStop(@Observes ShutdownEvent event) {
        long start = System.nanoTime();
        boolean closed = streams.close(new KafkaStreams.CloseOptions().timeout(config.shutdownTimeout()));
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (closed) {
            LOG.infof("Kafka Streams closed in %d ms", millis);
            return;
        }
        LOG.errorf(
                "Kafka Streams did not close within %s; halting (uncommitted work is aborted and redone)",
                config.shutdownTimeout());
        Runtime.getRuntime().halt(1);
    }
}
