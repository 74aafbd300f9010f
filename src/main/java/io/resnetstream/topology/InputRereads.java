package io.resnetstream.topology;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.streams.StreamsConfig;

import io.resnetstream.ingest.InputTopicReader;
import io.resnetstream.outcome.RejectedInputException;

/**
 * The pipeline's one reader of its input topic, for the buffered images whose bytes are not in memory (restored
 * references). Opened at the first such read, with the connection settings Kafka Streams itself uses (bootstrap
 * servers, TLS, SASL: those of its restore consumer), so most runs never open it.
 */
final class InputRereads implements AutoCloseable {
    /** Well inside the batch deadline (60 s by default): a broker this slow fails the batch, which runs again. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private InputTopicReader reader;

    /** @param streamsSettings the application's Kafka Streams settings, as a processor context gives them */
    byte[] read(Map<String, Object> streamsSettings, String topic, int partition, long offset)
            throws RejectedInputException {
        return reader(streamsSettings).read(topic, partition, offset);
    }

    private synchronized InputTopicReader reader(Map<String, Object> streamsSettings) {
        if (reader == null) {
            StreamsConfig streams = new StreamsConfig(streamsSettings);
            String clientId = streams.getString(StreamsConfig.APPLICATION_ID_CONFIG) + "-input-reread";
            reader = new InputTopicReader(streams.getRestoreConsumerConfigs(clientId), TIMEOUT);
        }
        return reader;
    }

    @Override
    public synchronized void close() {
        if (reader != null) {
            reader.close();
        }
    }
}
