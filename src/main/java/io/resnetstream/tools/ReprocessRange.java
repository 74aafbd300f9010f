package io.resnetstream.tools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The end of a reprocessing range, enforced on Kafka Streams' main consumer: records at or past a partition's
 * bound are dropped before the topology sees them. Kafka Streams has no "stop at offset"; with this it simply
 * never classifies a record past the range, whatever it fetches before it is closed. Installed as
 * {@code main.consumer.interceptor.classes}; the bounds are looked up by the consumer's group id (the
 * application id), since Kafka instantiates interceptors itself.
 */
public final class ReprocessRange implements ConsumerInterceptor<byte[], byte[]> {
    private static final Map<String, Map<TopicPartition, Long>> BOUNDS = new ConcurrentHashMap<>();

    private Map<TopicPartition, Long> ends = Map.of();

    /** Sets the exclusive end offsets for the application id's consumers (before Kafka Streams starts). */
    static void bound(String applicationId, Map<TopicPartition, Long> ends) {
        BOUNDS.put(applicationId, Map.copyOf(ends));
    }

    static void release(String applicationId) {
        BOUNDS.remove(applicationId);
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object group = configs.get(ConsumerConfig.GROUP_ID_CONFIG);
        Map<TopicPartition, Long> b = group == null ? null : BOUNDS.get(group.toString());
        if (b == null) {
            throw new IllegalStateException("no reprocessing range set for group " + group);
        }
        this.ends = b;
    }

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> kept = new HashMap<>();
        boolean dropped = false;
        for (TopicPartition tp : records.partitions()) {
            Long end = ends.get(tp);
            List<ConsumerRecord<byte[], byte[]>> in = records.records(tp);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>(in.size());
            for (ConsumerRecord<byte[], byte[]> r : in) {
                if (end == null || r.offset() < end) {
                    out.add(r);
                } else {
                    dropped = true;
                }
            }
            if (!out.isEmpty()) {
                kept.put(tp, out);
            }
        }
        return dropped ? new ConsumerRecords<>(kept, records.nextOffsets()) : records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

    @Override
    public void close() {}
}
