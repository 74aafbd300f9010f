package io.resnetstream.topology;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

import io.resnetstream.batching.BatchCoordinator;
import io.resnetstream.batching.ImageSource;
import io.resnetstream.batching.internal.PendingImage;
import io.resnetstream.contracts.ByteBuffers;
import io.resnetstream.ingest.AcceptedImage;
import io.resnetstream.ingest.ImageIntake;
import io.resnetstream.ingest.UriRedaction;
import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;
import io.resnetstream.registry.RegistryException;

/**
 * Accepts image records into the task's changelogged buffer store (a reference to each record: where it is in the
 * input topic, not its bytes, which the thread's {@link BatchCoordinator} keeps in memory), starts batches through
 * that coordinator when one is full or its oldest image has waited long enough, and forwards each outcome once its
 * batch is done, deleting the reference from the store in the same transaction. Every input leaves exactly one
 * record: a prediction or a dead letter. Nothing here waits on the network: a URI is fetched, and a restored
 * reference's record read again, while its batch is prepared.
 */
final class ClassifyProcessor implements Processor<byte[], byte[], String, SpecificRecord> {
    private final ImageIntake intake;
    private final Outcomes outcomes;
    private final Supplier<BatchCoordinator> coordinators;
    private final ClassifyMetrics metrics;
    private final Duration tick;
    private final InputRereads rereads;

    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<Long, PendingImage> buffer;
    private BatchCoordinator coordinator;

    /** @param coordinators gives the calling stream thread's coordinator */
    ClassifyProcessor(
            ImageIntake intake,
            Outcomes outcomes,
            Supplier<BatchCoordinator> coordinators,
            ClassifyMetrics metrics,
            Duration tick,
            InputRereads rereads) {
        this.intake = intake;
        this.outcomes = outcomes;
        this.coordinators = coordinators;
        this.metrics = metrics;
        this.tick = tick;
        this.rereads = rereads;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.buffer = context.getStateStore(PipelineTopology.BUFFER_STORE);
        this.coordinator = coordinators.get(); // init runs on the stream thread that owns the task
        Map<String, Object> streamsSettings = context.appConfigs();
        coordinator.join(context.taskId(), buffer, reference -> restored(reference, streamsSettings));
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata where = context.recordMetadata().orElseThrow();
        long now = context.currentSystemTimeMs(); // the driver's clock in tests, the wall clock in service
        String fallbackId = where.topic() + "/" + where.partition() + "/" + where.offset();
        String traceparent = TraceContexts.traceparent(record.headers()); // carried to the outcome, whichever it is
        try {
            AcceptedImage image = accept(record, where, fallbackId);
            buffer.put(
                    where.offset(),
                    PendingImage.newBuilder()
                            .setImageId(image.imageId())
                            .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                            .setTopic(where.topic())
                            .setPartition(where.partition())
                            .setOffset(where.offset())
                            .setImageBytes(image.knownBytes())
                            .setEventTime(image.eventTime())
                            .setAcceptedAt(now)
                            .setTraceparent(traceparent)
                            .build());
            ImageSource source = image.image() != null
                    ? ImageSource.inMemory(image.image())
                    : () -> sorted(() -> intake.fetched(image.uri()));
            coordinator.buffered(context.taskId(), where.offset(), now, image.knownBytes(), source);
        } catch (RejectedInputException e) {
            String key = e.imageId() != null ? e.imageId() : intake.deadLetterKey(record.key(), fallbackId);
            forwardDeadLetter(
                    key,
                    outcomes.deadLetter(
                            where.topic(),
                            where.partition(),
                            where.offset(),
                            record.key(),
                            e.imageId(),
                            e.keptPayload().orElse(record.value()), // a URI event's token masked (intake)
                            e,
                            now),
                    e,
                    now,
                    traceparent);
        }
        onTick(now);
    }

    /**
     * Intake, with every failure sorted: the registry's own (it did not answer) propagates, so that the record is
     * read again once it answers; anything else unforeseen is the record's, and dead-lettered rather than allowed
     * to fail the stream thread on every attempt.
     */
    private AcceptedImage accept(Record<byte[], byte[]> record, RecordMetadata where, String fallbackId)
            throws RejectedInputException {
        try {
            return intake.accept(where.topic(), record.key(), record.value(), fallbackId);
        } catch (RegistryException e) {
            throw e;
        } catch (RuntimeException e) {
            throw intakeFailed(e).keeping(intake.deadLetterPayload(record.value()));
        }
    }

    /** A restored reference: its record read again from the input topic, then intake again (and a URI's fetch). */
    private ImageSource restored(PendingImage reference, Map<String, Object> streamsSettings) {
        String topic = reference.getTopic();
        byte[] key = reference.getKey() == null ? null : ByteBuffers.toArray(reference.getKey());
        String fallbackId = topic + "/" + reference.getPartition() + "/" + reference.getOffset();
        return () -> {
            byte[] value = rereads.read(streamsSettings, topic, reference.getPartition(), reference.getOffset());
            return sorted(() -> intake.again(topic, key, value, reference.getImageId(), fallbackId));
        };
    }

    /** Reads an image's bytes in the batch (intake's checks, a fetch), the bytes' own failures sorted as intake's. */
    private static byte[] sorted(ImageSource read) throws RejectedInputException {
        try {
            return read.bytes();
        } catch (RegistryException | KafkaException e) {
            throw e; // the world's: the batch fails, and its images are read again
        } catch (RuntimeException e) {
            throw intakeFailed(e);
        }
    }

    /**
     * An unforeseen failure of intake, the record's fault: its message scrubbed of URI secrets, and no cause, whose
     * message could quote the URI (at intake and in the batch alike, where a URI's fetch and a re-read run intake).
     */
    private static RejectedInputException intakeFailed(RuntimeException e) {
        return new RejectedInputException(
                RejectReason.INTAKE_FAILED, "intake failed: " + UriRedaction.scrub(e.toString()));
    }

    private void onTick(long now) {
        coordinator.advance(now);
        forwardDone();
    }

    private void forwardDone() {
        long now = context.currentSystemTimeMs(); // the driver's clock in tests, the wall clock in service
        for (BatchCoordinator.Done done : coordinator.takeDone(context.taskId())) {
            PendingImage image = done.image();
            RejectedInputException failure = done.result().failure();
            if (failure == null) {
                metrics.predicted(
                        Math.max(0, done.batchStartedAt() - image.getAcceptedAt()), now - image.getAcceptedAt());
                context.forward(
                        new Record<>(
                                image.getImageId(),
                                outcomes.prediction(done, now),
                                now,
                                TraceContexts.outcomeHeaders(image.getTraceparent())),
                        PipelineTopology.PREDICTIONS_SINK);
                if (done.shadow() != null && done.shadow().scores() != null) {
                    // in the same transaction as the main prediction: the shadow topic is exactly-once too
                    context.forward(
                            new Record<>(image.getImageId(), outcomes.shadowPrediction(done, now), now),
                            PipelineTopology.SHADOW_SINK);
                }
            } else {
                byte[] key = image.getKey() == null ? null : ByteBuffers.toArray(image.getKey());
                forwardDeadLetter(
                        image.getImageId(),
                        outcomes.deadLetter(
                                image.getTopic(),
                                image.getPartition(),
                                image.getOffset(),
                                key,
                                image.getImageId(),
                                done.bytes(),
                                failure,
                                now),
                        failure,
                        now,
                        image.getTraceparent());
            }
            buffer.delete(done.offset());
        }
    }

    private void forwardDeadLetter(
            String key, SpecificRecord deadLetter, RejectedInputException why, long now, String traceparent) {
        metrics.deadLettered(why.reason());
        context.forward(
                new Record<>(key, deadLetter, now, TraceContexts.outcomeHeaders(traceparent)),
                PipelineTopology.DEAD_LETTER_SINK);
    }

    @Override
    public void close() {
        coordinator.leave(context.taskId());
    }
}
