package io.resnetstream.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;
import io.resnetstream.testing.LocalStack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The re-reader of restored references against the real broker: a record read back at its offset, committed records
 * only (an aborted transaction's record is not an image to classify), and a record that retention deleted (here
 * {@code deleteRecords}, which moves the log start as retention does) is EXPIRED.
 */
class InputTopicReaderIT {
    private final String topic = "it-reread-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void readsCommittedRecordsBackAtTheirOffsetsAndCallsDeletedOnesExpired() throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", LocalStack.BOOTSTRAP);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            Properties producerProps = new Properties();
            producerProps.putAll(props);
            producerProps.put("transactional.id", topic + "-producer");
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 5; i++) { // offsets 0..4
                    producer.send(new ProducerRecord<>(topic, null, bytes("image-" + i)));
                }
                producer.commitTransaction(); // its marker takes offset 5
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, null, bytes("aborted"))); // offset 6
                producer.flush(); // written, then aborted (an unsent record would just be dropped)
                producer.abortTransaction(); // marker at 7
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, null, bytes("image-8"))); // offset 8
                producer.commitTransaction();
            }

            try (InputTopicReader reader =
                    new InputTopicReader(Map.of("bootstrap.servers", LocalStack.BOOTSTRAP), Duration.ofSeconds(20))) {
                assertThat(text(reader.read(topic, 0, 3))).isEqualTo("image-3");
                assertThat(text(reader.read(topic, 0, 4))).isEqualTo("image-4"); // from the same fetch
                assertThat(text(reader.read(topic, 0, 0))).isEqualTo("image-0"); // backwards: a new seek
                assertThat(text(reader.read(topic, 0, 8))).isEqualTo("image-8");
                assertThatThrownBy(() -> reader.read(topic, 0, 6)) // aborted: not there for read_committed
                        .isInstanceOfSatisfying(RejectedInputException.class, e -> assertThat(e.reason())
                                .isEqualTo(RejectReason.EXPIRED));
                assertThatThrownBy(() -> reader.read(topic, 0, 42)) // past the end: the topic was recreated
                        .isInstanceOfSatisfying(RejectedInputException.class, e -> assertThat(e.reason())
                                .isEqualTo(RejectReason.EXPIRED));

                admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(3)))
                        .all()
                        .get();
                assertThatThrownBy(() -> reader.read(topic, 0, 1))
                        .isInstanceOfSatisfying(RejectedInputException.class, e -> {
                            assertThat(e.reason()).isEqualTo(RejectReason.EXPIRED);
                            assertThat(e.getMessage()).contains("@1").contains("retention");
                        });
                assertThat(text(reader.read(topic, 0, 3))).isEqualTo("image-3"); // above the log start: still there
            } finally {
                admin.deleteTopics(List.of(topic)).all().get();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
