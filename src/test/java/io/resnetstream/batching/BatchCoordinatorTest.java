package io.resnetstream.batching;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.ImageDecoder;
import io.resnetstream.imaging.ImageLimits;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.Classifier;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;
import io.resnetstream.testing.TestImages;

import static org.assertj.core.api.Assertions.assertThat;

/** Batches in flight beside the stream thread: back-pressure, and batches of a task that left. */
class BatchCoordinatorTest {
    private static final TaskId TASK = new TaskId(0, 0);

    private final GatedClassifier model = new GatedClassifier();
    private final BatchClassifier classifier = new BatchClassifier(
            model,
            new ImageDecoder(ImageLimits.defaults()),
            new Preprocessor(8, 8, CropScheme.CENTER_CROP, Normalization.NONE),
            1,
            1);
    private final KeyValueStore<Long, io.resnetstream.batching.internal.PendingImage> store = store();
    /** The input records' images by offset: where a restored reference's bytes are read again from. */
    private final Map<Long, byte[]> inputTopic = new ConcurrentHashMap<>();

    private final AtomicInteger rereads = new AtomicInteger();
    /** Reads a restored reference's image from {@link #inputTopic}, as the service reads the input topic. */
    private final ImageSource.Restorer fromInput = reference -> () -> {
        rereads.incrementAndGet();
        byte[] image = inputTopic.get(reference.getOffset());
        if (image == null) {
            throw new RejectedInputException(RejectReason.EXPIRED, "gone from the input topic");
        }
        return image;
    };

    @AfterEach
    void release() {
        model.gate.countDown();
        classifier.close();
    }

    @Test
    void aFullBatchThatCannotStartMakesTheStreamThreadWaitForTheModel() throws Exception {
        BatchCoordinator coordinator = new BatchCoordinator(classifier, 2, 60_000, 1, (images, millis) -> {});
        coordinator.join(TASK, store, fromInput);
        buffer(coordinator, 0, 1);
        coordinator.advance(now());
        assertThat(coordinator.inFlight()).isEqualTo(1); // started, and the stream thread went on
        assertThat(coordinator.waiting()).isZero();

        buffer(coordinator, 2, 3); // a second full batch, but the one batch allowed in flight is still running
        CompletableFuture<Void> streamThread = CompletableFuture.runAsync(() -> coordinator.advance(now()));
        try {
            streamThread.get(300, TimeUnit.MILLISECONDS);
            throw new AssertionError("advance returned while a full batch waited behind a running one");
        } catch (TimeoutException expected) {
            // back-pressure: the stream thread reads no more input until the model is free
        }
        model.gate.countDown();
        streamThread.get(10, TimeUnit.SECONDS);
        coordinator.awaitInFlight();

        assertThat(coordinator.takeDone(TASK))
                .extracting(BatchCoordinator.Done::offset)
                .containsExactly(0L, 1L, 2L, 3L);
        assertThat(model.passes.get()).isEqualTo(2);
    }

    @Test
    void theBatchOfATaskThatLeftIsDroppedAndItsImagesWaitAgainFromTheStore() throws Exception {
        BatchCoordinator coordinator = new BatchCoordinator(classifier, 2, 60_000, 1, (images, millis) -> {});
        coordinator.join(TASK, store, fromInput);
        buffer(coordinator, 0, 1);
        coordinator.advance(now());
        assertThat(coordinator.inFlight()).isEqualTo(1);

        coordinator.leave(TASK); // revoked while its batch runs; the store keeps both images
        coordinator.join(TASK, store, fromInput); // and assigned back to this thread
        assertThat(coordinator.waiting()).isEqualTo(2);
        model.gate.countDown();
        coordinator.awaitInFlight();
        assertThat(coordinator.takeDone(TASK)).isEmpty(); // the old batch's outcomes are not forwarded

        coordinator.advance(now());
        coordinator.awaitInFlight();
        assertThat(coordinator.takeDone(TASK))
                .extracting(BatchCoordinator.Done::offset)
                .containsExactly(0L, 1L);
    }

    @Test
    void withNoBatchesInFlightTheBatchRunsOnTheCallingThread() throws Exception {
        model.gate.countDown();
        BatchCoordinator coordinator = new BatchCoordinator(classifier, 2, 60_000, 0, (images, millis) -> {});
        coordinator.join(TASK, store, fromInput);
        buffer(coordinator, 0, 1);
        coordinator.advance(now());
        assertThat(coordinator.inFlight()).isZero();
        assertThat(coordinator.takeDone(TASK))
                .extracting(BatchCoordinator.Done::offset)
                .containsExactly(0L, 1L);
    }

    @Test
    void imagesOfABatchThatNeverFinishedRunAloneThenArePoisonedWithoutRunning() throws Exception {
        model.gate.countDown();
        AttemptLog log = AttemptLog.inMemory();
        BatchCoordinator.Quarantine quarantine = new BatchCoordinator.Quarantine(log, 2, 60_000);
        buffer(null, 0, 1, 2);
        // a first process put all three into a batch and crashed before the outcome was forwarded
        log.starting(List.of(ref(0), ref(1), ref(2)));
        // the restarted one: each runs alone, once
        BatchCoordinator restarted =
                new BatchCoordinator(classifier, 3, Long.MAX_VALUE, 0, 0, (images, millis) -> {}, quarantine, 2);
        restarted.join(TASK, store, fromInput);
        restarted.advance(now());
        assertThat(model.passSizes).containsExactly(1, 1, 1);
        assertThat(restarted.takeDone(TASK))
                .extracting(BatchCoordinator.Done::offset)
                .containsExactly(0L, 1L, 2L);

        // image 1 went into a batch a second time that never finished: the next process does not run it
        log.starting(List.of(ref(1)));
        log.starting(List.of(ref(1)));
        BatchCoordinator third =
                new BatchCoordinator(classifier, 3, Long.MAX_VALUE, 0, 0, (images, millis) -> {}, quarantine, 2);
        third.join(TASK, store, fromInput);
        third.advance(now());
        List<BatchCoordinator.Done> done = third.takeDone(TASK);
        assertThat(model.passSizes).hasSize(4).endsWith(2); // images 0 and 2, together again
        BatchCoordinator.Done poisoned =
                done.stream().filter(d -> d.offset() == 1).findFirst().orElseThrow();
        assertThat(poisoned.result().failure().reason()).isEqualTo(RejectReason.POISON);
        assertThat(poisoned.result().failure().getMessage()).contains("2 batches");
        assertThat(log.attempts(ref(1))).isZero(); // handed on: forgotten
    }

    @Test
    void aBatchPastItsDeadlineIsAbandonedAndItsImagesRunAgainAlone() throws Exception {
        AttemptLog log = AttemptLog.inMemory();
        BatchCoordinator coordinator = new BatchCoordinator(
                classifier,
                2,
                Long.MAX_VALUE,
                0,
                1,
                (images, millis) -> {},
                new BatchCoordinator.Quarantine(log, 3, 200),
                2);
        coordinator.join(TASK, store, fromInput);
        buffer(coordinator, 0, 1);
        coordinator.advance(now()); // the model hangs on this batch
        assertThat(coordinator.inFlight()).isEqualTo(1);

        coordinator.awaitInFlight(); // returns once the deadline passes
        assertThat(coordinator.inFlight()).isZero();
        assertThat(coordinator.waiting()).isEqualTo(2);
        assertThat(log.attempts(ref(0))).isEqualTo(1);

        model.gate.countDown(); // the model answers again
        coordinator.advance(now());
        coordinator.awaitInFlight();
        coordinator.advance(now());
        coordinator.awaitInFlight();
        assertThat(coordinator.takeDone(TASK))
                .extracting(BatchCoordinator.Done::offset)
                .containsExactly(0L, 1L);
        assertThat(model.passSizes).containsExactly(1, 1);
    }

    @Test
    void aLoneImageRunsAtOnceWhenTheModelIsIdleAndImagesThatArriveMeanwhileGatherIntoTheNextBatch() throws Exception {
        BatchCoordinator coordinator = new BatchCoordinator(classifier, 16, 60_000, 2, (images, millis) -> {});
        coordinator.join(TASK, store, fromInput);
        buffer(coordinator, 0);
        coordinator.advance(now()); // far from full and from the delay, but nothing runs: it goes now
        assertThat(coordinator.inFlight()).isEqualTo(1);

        buffer(coordinator, 1, 2, 3); // while the model is busy: they wait for it, not for the delay
        coordinator.advance(now());
        assertThat(coordinator.inFlight()).isEqualTo(1);
        assertThat(coordinator.waiting()).isEqualTo(3);

        model.gate.countDown();
        coordinator.awaitInFlight();
        coordinator.advance(now()); // the model is free: everything that gathered goes as one batch
        coordinator.awaitInFlight();
        assertThat(model.passSizes).containsExactly(1, 3);
        assertThat(coordinator.takeDone(TASK))
                .extracting(BatchCoordinator.Done::offset)
                .containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void withBatchesOnTheStreamThreadALoneImageWaitsForTheDelay() throws Exception {
        model.gate.countDown();
        BatchCoordinator coordinator = new BatchCoordinator(classifier, 16, 60_000, 0, (images, millis) -> {});
        coordinator.join(TASK, store, fromInput);
        buffer(coordinator, 0);
        assertThat(coordinator.due(now())).isFalse(); // each record would run alone otherwise
        assertThat(coordinator.due(now() + 60_000)).isTrue();
    }

    @Test
    void theByteBudgetCutsBatchesAndHoldsTheStreamThreadLikeACountDoes() throws Exception {
        buffer(null, 0, 1, 2, 3, 4);
        int each = store.get(0L).getImageBytes();
        // room for two images a batch; five images wait, so a batch is due at once, not after the delay
        BatchCoordinator coordinator = new BatchCoordinator(
                classifier,
                100,
                2L * each,
                60_000,
                1,
                (images, millis) -> {},
                BatchCoordinator.Quarantine.inMemory(),
                2);
        coordinator.join(TASK, store, fromInput);
        assertThat(coordinator.waitingBytes()).isEqualTo(5L * each);
        assertThat(coordinator.due(now())).isTrue();

        CompletableFuture<Void> streamThread = CompletableFuture.runAsync(() -> coordinator.advance(now()));
        try {
            streamThread.get(300, TimeUnit.MILLISECONDS);
            throw new AssertionError("advance returned while more than the byte budget waited behind a running batch");
        } catch (TimeoutException expected) {
            // back-pressure by bytes
        }
        model.gate.countDown();
        streamThread.get(10, TimeUnit.SECONDS);
        coordinator.awaitInFlight();
        assertThat(model.passSizes).startsWith(2, 2);
        // the last image, under both budgets, goes as soon as the model is idle (perhaps already, on the stream thread)
        coordinator.advance(now());
        coordinator.awaitInFlight();

        assertThat(model.passSizes).containsExactly(2, 2, 1);
        assertThat(coordinator.takeDone(TASK)).hasSize(5);
    }

    @Test
    void restoredReferencesHaveTheirImagesReadAgainWhenTheirBatchIsPreparedAndCachedOnesDoNot() throws Exception {
        model.gate.countDown();
        buffer(null, 0, 1); // references restored from the changelog: their bytes are not in this process
        BatchCoordinator coordinator = new BatchCoordinator(classifier, 3, 60_000, 1, (images, millis) -> {});
        coordinator.join(TASK, store, fromInput);
        assertThat(rereads.get()).isZero(); // nothing read while the task starts: the batch reads them
        buffer(coordinator, 2); // accepted by this process: in memory
        coordinator.advance(now());
        coordinator.awaitInFlight();

        List<BatchCoordinator.Done> done = coordinator.takeDone(TASK);
        assertThat(done).extracting(BatchCoordinator.Done::offset).containsExactlyInAnyOrder(0L, 1L, 2L);
        assertThat(done).allSatisfy(d -> {
            assertThat(d.result().failure()).isNull();
            assertThat(d.bytes()).isEqualTo(inputTopic.get(d.offset()));
        });
        assertThat(rereads.get()).isEqualTo(2);
        assertThat(model.passSizes).containsExactly(3);
    }

    @Test
    void anImageWhoseBytesCannotBeHadIsItsOwnDeadLetterAndItsBatchMatesGoOn() throws Exception {
        model.gate.countDown();
        buffer(null, 0, 1, 2);
        inputTopic.remove(1L); // retention deleted it while the process was down
        BatchCoordinator coordinator = new BatchCoordinator(classifier, 3, 60_000, 0, (images, millis) -> {});
        coordinator.join(TASK, store, fromInput);
        coordinator.advance(now());

        List<BatchCoordinator.Done> done = coordinator.takeDone(TASK);
        assertThat(done).hasSize(3);
        BatchCoordinator.Done expired =
                done.stream().filter(d -> d.offset() == 1).findFirst().orElseThrow();
        assertThat(expired.result().failure().reason()).isEqualTo(RejectReason.EXPIRED);
        assertThat(expired.bytes()).isNull();
        assertThat(done.stream().filter(d -> d.offset() != 1))
                .allSatisfy(d -> assertThat(d.result().scores()).isNotNull());
        assertThat(model.passSizes).containsExactly(2);
    }

    @Test
    void aBrokerThatDoesNotAnswerFailsTheBatchWithoutCountingAnAttemptAgainstItsImages() throws Exception {
        model.gate.countDown();
        AttemptLog log = AttemptLog.inMemory();
        buffer(null, 0, 1);
        BatchCoordinator coordinator = new BatchCoordinator(
                classifier,
                2,
                Long.MAX_VALUE,
                0,
                1,
                (images, millis) -> {},
                new BatchCoordinator.Quarantine(log, 2, 60_000),
                2);
        coordinator.join(TASK, store, reference -> () -> {
            throw new org.apache.kafka.common.errors.TimeoutException("the broker did not answer");
        });
        coordinator.advance(now());

        org.assertj.core.api.Assertions.assertThatThrownBy(coordinator::awaitInFlight)
                .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class); // the stream thread fails
        assertThat(log.attempts(ref(0))).isZero(); // and, read again later, they are no poison
        assertThat(log.attempts(ref(1))).isZero();
        assertThat(model.passes.get()).isZero();
    }

    @Test
    void aSlowFetchHoldsBackOnlyItsOwnBatchNeverTheStreamThread() throws Exception {
        model.gate.countDown();
        CountDownLatch server = new CountDownLatch(1); // a web server that answers when the test says so
        byte[] remote = TestImages.png(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB));
        BatchCoordinator coordinator = new BatchCoordinator(classifier, 1, 0, 2, (images, millis) -> {});
        coordinator.join(TASK, store, fromInput);
        store.put(0L, reference(0, 0)); // a URI event's reference: its size is known once fetched
        coordinator.buffered(TASK, 0, now(), 0, () -> {
            await(server);
            return remote;
        });
        long started = System.nanoTime();
        coordinator.advance(now()); // batch 1: the URI, fetching
        buffer(coordinator, 1);
        coordinator.advance(now()); // batch 2: an inline image
        long deadline = System.currentTimeMillis() + 10_000;
        List<BatchCoordinator.Done> done = new java.util.ArrayList<>();
        while (done.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
            coordinator.advance(now());
            done.addAll(coordinator.takeDone(TASK));
        }
        assertThat(done).extracting(BatchCoordinator.Done::offset).containsExactly(1L); // while the fetch waits
        assertThat(coordinator.inFlight()).isEqualTo(1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(10_000);

        server.countDown();
        coordinator.awaitInFlight();
        List<BatchCoordinator.Done> fetched = coordinator.takeDone(TASK);
        assertThat(fetched).extracting(BatchCoordinator.Done::offset).containsExactly(0L);
        assertThat(fetched.get(0).bytes()).isEqualTo(remote);
        assertThat(fetched.get(0).result().scores()).isNotNull();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static AttemptLog.ImageRef ref(long offset) {
        return new AttemptLog.ImageRef("images", 0, offset);
    }

    private void buffer(BatchCoordinator coordinator, long... offsets) throws IOException {
        for (long offset : offsets) {
            byte[] png = TestImages.png(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB));
            inputTopic.put(offset, png);
            store.put(offset, reference(offset, png.length));
            if (coordinator != null) {
                coordinator.buffered(TASK, offset, now(), png.length, ImageSource.inMemory(png));
            }
        }
    }

    private static io.resnetstream.batching.internal.PendingImage reference(long offset, int imageBytes) {
        return io.resnetstream.batching.internal.PendingImage.newBuilder()
                .setImageId("img-" + offset)
                .setKey(null)
                .setTopic("images")
                .setPartition(0)
                .setOffset(offset)
                .setImageBytes(imageBytes)
                .setEventTime(null)
                .setAcceptedAt(now())
                .build();
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private static KeyValueStore<Long, io.resnetstream.batching.internal.PendingImage> store() {
        KeyValueStore<Long, io.resnetstream.batching.internal.PendingImage> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore("buffer"), Serdes.Long(), new PendingImageSerde())
                .withLoggingDisabled()
                .build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    /** Holds every forward pass until the gate opens. */
    private static final class GatedClassifier implements Classifier {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger passes = new AtomicInteger();
        /** Views of each forward pass, in order (one view per image here: centre crop). */
        final List<Integer> passSizes = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public ModelManifest manifest() {
            return new ModelManifest("gated", "1", "0000", "none", 8, 8, "input_1", "predictions", false, "labels.txt");
        }

        @Override
        public List<String> labels() {
            return List.of("a", "b");
        }

        @Override
        public float[][] classify(float[] nhwc, int views) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            passes.incrementAndGet();
            passSizes.add(views);
            float[][] out = new float[views][];
            for (int v = 0; v < views; v++) {
                out[v] = new float[] {0.75f, 0.25f};
            }
            return out;
        }

        @Override
        public void close() {}
    }
}
