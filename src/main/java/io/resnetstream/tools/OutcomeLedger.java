package io.resnetstream.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.resnetstream.tools.ChaosReport.Tally;

/**
 * The chaos run's verifier: which ids were produced (and when the broker acknowledged them) and which committed
 * outcomes exist for them (and when each first became visible). Outcomes are read with a {@code read_committed}
 * consumer, as any downstream reader would: an aborted transaction's records never count, and an open one holds
 * back what follows it. Outcomes are keyed by image id, so keys are all it needs; the dead letters' reasons are
 * decoded only to be printed.
 */
final class OutcomeLedger implements AutoCloseable {
    private final Properties consumerProperties;
    private final List<String> topics;
    private final String deadLetterTopic;
    private final Function<byte[], String> deadLetterReason;
    private final Thread reader = new Thread(this::read, "chaos-outcome-reader");

    // Guarded by this.
    private final Map<String, Long> producedAt = new HashMap<>();
    private final Map<String, Integer> outcomesPerId = new HashMap<>();
    /** Receipt time of each id's first outcome, in receipt order (so ascending). */
    private final List<Long> firstOutcomeTimes = new ArrayList<>();

    private final Map<String, Integer> deadLetterReasons = new TreeMap<>();
    private final List<String> deadLettered = new ArrayList<>();
    private RuntimeException readFailure;

    private volatile boolean drainRequested;
    private volatile boolean drained;

    OutcomeLedger(
            Properties clientProperties,
            String predictionsTopic,
            String deadLetterTopic,
            Function<byte[], String> deadLetterReason) {
        this.consumerProperties = new Properties();
        consumerProperties.putAll(clientProperties);
        consumerProperties.put("isolation.level", "read_committed");
        consumerProperties.put("enable.auto.commit", "false");
        this.topics = List.of(predictionsTopic, deadLetterTopic);
        this.deadLetterTopic = deadLetterTopic;
        this.deadLetterReason = deadLetterReason;
    }

    void start() {
        reader.setDaemon(true);
        reader.start();
    }

    synchronized void produced(String id, long ackNanos) {
        producedAt.put(id, ackNanos);
    }

    synchronized int producedCount() {
        return producedAt.size();
    }

    /** Produced ids that have at least one outcome. */
    synchronized int settledCount() {
        return (int)
                producedAt.keySet().stream().filter(outcomesPerId::containsKey).count();
    }

    /** Receipt time of the first new outcome (an id seen for the first time) at or after {@code nanos}, or -1. */
    synchronized long firstOutcomeAtOrAfter(long nanos) {
        int i = Collections.binarySearch(firstOutcomeTimes, nanos);
        int index = i >= 0 ? i : -i - 1;
        return index < firstOutcomeTimes.size() ? firstOutcomeTimes.get(index) : -1;
    }

    /** Receipt time of the latest new outcome, or -1. */
    synchronized long lastOutcome() {
        return firstOutcomeTimes.isEmpty() ? -1 : firstOutcomeTimes.get(firstOutcomeTimes.size() - 1);
    }

    /**
     * Reads on until the consumer has caught up with the end of every partition (for read_committed: the last
     * stable offset), so that no committed outcome, and no duplicate, is left unread; at most {@code timeout}.
     * Meaningful once the service has stopped: then no transaction is open and the end is the end.
     */
    boolean drain(Duration timeout) throws InterruptedException {
        drainRequested = true;
        reader.join(timeout.toMillis());
        return drained;
    }

    /** The figures about outcomes, as of now; {@code endNanos} closes a final stall if work remains. */
    synchronized Tally tally(long endNanos) {
        if (readFailure != null) {
            throw new IllegalStateException("the outcome reader failed", readFailure);
        }
        List<String> missing = producedAt.keySet().stream()
                .filter(id -> !outcomesPerId.containsKey(id))
                .sorted()
                .toList();
        List<String> duplicates = outcomesPerId.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        List<String> unexpected = outcomesPerId.keySet().stream()
                .filter(id -> !producedAt.containsKey(id))
                .sorted()
                .toList();
        int outcomes =
                outcomesPerId.values().stream().mapToInt(Integer::intValue).sum();
        return new Tally(
                producedAt.size(),
                outcomes,
                deadLettered.size(),
                new TreeMap<>(deadLetterReasons),
                deadLettered.stream().sorted().toList(),
                missing,
                duplicates,
                unexpected,
                Duration.ofNanos(longestStall(endNanos)));
    }

    /**
     * The longest time without a new outcome while work remained. After i outcomes, work remains from the moment
     * the (i+1)th image was acknowledged, so the i-th gap runs from the later of the previous outcome and that
     * acknowledgement to the next outcome; a paced producer's idle moments are not stalls.
     */
    private long longestStall(long endNanos) {
        long[] produced =
                producedAt.values().stream().mapToLong(Long::longValue).sorted().toArray();
        long longest = 0;
        for (int i = 1; i <= firstOutcomeTimes.size(); i++) {
            if (i >= produced.length) {
                break;
            }
            long next = i < firstOutcomeTimes.size() ? firstOutcomeTimes.get(i) : endNanos;
            longest = Math.max(longest, next - Math.max(firstOutcomeTimes.get(i - 1), produced[i]));
        }
        return longest;
    }

    private void read() {
        try (var consumer =
                new KafkaConsumer<>(consumerProperties, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofMinutes(2))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (true) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    record(r, System.nanoTime());
                }
                if (drainRequested && caughtUp(consumer, partitions)) {
                    drained = true;
                    return;
                }
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                readFailure = e;
            }
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
    }

    private synchronized void record(ConsumerRecord<String, byte[]> r, long now) {
        String id = String.valueOf(r.key());
        if (outcomesPerId.merge(id, 1, Integer::sum) == 1) {
            firstOutcomeTimes.add(now);
        }
        if (r.topic().equals(deadLetterTopic)) {
            deadLettered.add(id);
            deadLetterReasons.merge(deadLetterReason.apply(r.value()), 1, Integer::sum);
        }
    }

    @Override
    public void close() {
        drainRequested = true;
        reader.interrupt();
    }
}
