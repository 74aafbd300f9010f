package io.resnetstream.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

/**
 * Reads one input record again at its offset: where a buffered image's bytes come from after a restore, since the
 * buffer's changelog keeps only references. A read_committed consumer that is assigned the partition and seeks (no
 * group, no committed offsets, no offset reset): a record below the log start (deleted by retention) or gone from
 * its offset is {@link RejectReason#EXPIRED}; a broker that does not answer within the timeout is the world's fault
 * and throws {@link TimeoutException}.
 *
 * <p>One consumer, opened at the first read (most runs never restore), used by one caller at a time. The records
 * after the one asked for come with the same fetch and are kept until the next read misses them, since a restore
 * reads a partition's buffered offsets one after another.
 */
public final class InputTopicReader implements AutoCloseable {
    /** Records kept from one fetch; bounds the reader's memory to this many images. */
    static final int RECORDS_PER_FETCH = 16;

    private final Map<String, Object> settings;
    private final Duration timeout;
    private KafkaConsumer<byte[], byte[]> consumer;
    private TopicPartition fetched;
    private final TreeMap<Long, byte[]> ahead = new TreeMap<>();

    /**
     * @param settings the consumer's connection settings (bootstrap servers, security); this class sets the rest
     */
    public InputTopicReader(Map<String, Object> settings, Duration timeout) {
        Map<String, Object> s = new HashMap<>(settings);
        s.remove(ConsumerConfig.GROUP_ID_CONFIG);
        s.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        s.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        s.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        s.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        s.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, RECORDS_PER_FETCH);
        s.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        s.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.settings = s;
        this.timeout = timeout;
    }

    /** The value of the committed record at {@code offset}; EXPIRED when it is no longer in the topic. */
    public synchronized byte[] read(String topic, int partition, long offset) throws RejectedInputException {
        TopicPartition tp = new TopicPartition(topic, partition);
        if (tp.equals(fetched) && ahead.containsKey(offset)) {
            return ahead.remove(offset);
        }
        ahead.clear();
        fetched = null;
        KafkaConsumer<byte[], byte[]> c = consumer();
        c.assign(List.of(tp));
        c.seek(tp, offset);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean endChecked = false;
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<byte[], byte[]>> records;
            try {
                records = c.poll(Duration.ofMillis(200)).records(tp);
            } catch (OffsetOutOfRangeException e) {
                throw expired(tp, offset, "its offset is outside the partition's log (retention deleted it)", e);
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.offset() < offset) {
                    continue;
                }
                if (r.offset() > offset && !ahead.containsKey(offset)) {
                    throw expired(tp, offset, "the partition's next record is at offset " + r.offset(), null);
                }
                ahead.put(r.offset(), r.value());
            }
            if (ahead.containsKey(offset)) {
                fetched = tp;
                return ahead.remove(offset);
            }
            if (records.isEmpty() && !endChecked) {
                // A buffered record was committed and consumed, so it lies below the last stable offset, unless the
                // topic was deleted and created again since: then nothing will ever come at this offset.
                Long end = c.endOffsets(List.of(tp), timeout).get(tp);
                if (end != null && offset >= end) {
                    throw expired(
                            tp, offset, "the partition ends at offset " + end + " (the topic was recreated?)", null);
                }
                endChecked = true;
            }
        }
        throw new TimeoutException(
                "could not read " + tp + " at offset " + offset + " within " + timeout + ": is the broker up?");
    }

    private static RejectedInputException expired(TopicPartition tp, long offset, String why, Throwable cause) {
        return new RejectedInputException(
                RejectReason.EXPIRED,
                "the input record " + tp + "@" + offset + " is gone, so its buffered image cannot be read again: "
                        + why,
                cause);
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            consumer = new KafkaConsumer<>(settings);
        }
        return consumer;
    }

    @Override
    public synchronized void close() {
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
    }
}
