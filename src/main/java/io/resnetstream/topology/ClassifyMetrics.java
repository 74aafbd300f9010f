package io.resnetstream.topology;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.resnetstream.batching.BatchCoordinator;
import io.resnetstream.outcome.RejectReason;

/**
 * What operators of a batching server ask for first: the batch size actually formed, time queued,
 * time per batch, and outcomes by kind.
 */
public final class ClassifyMetrics implements BatchCoordinator.BatchListener {
    private final DistributionSummary batchImages;
    private final Timer batchTime;
    private final Timer endToEnd;
    private final Counter predictions;
    private final Counter abandoned;
    private final Counter shadowFailures;
    private final Map<RejectReason, Counter> deadLetters = new EnumMap<>(RejectReason.class);

    public ClassifyMetrics(MeterRegistry registry) {
        batchImages = DistributionSummary.builder("resnet.batch.images")
                .description("Images per forward pass")
                .publishPercentileHistogram()
                .register(registry);
        batchTime = Timer.builder("resnet.batch.duration")
                .description("Preprocessing and forward pass of one batch")
                .register(registry);
        endToEnd = Timer.builder("resnet.image.latency")
                .description("From acceptance into the buffer to the prediction")
                .register(registry);
        predictions = Counter.builder("resnet.predictions").register(registry);
        abandoned = Counter.builder("resnet.batches.abandoned")
                .description("Batches given up past their deadline; their images ran again alone")
                .register(registry);
        shadowFailures = Counter.builder("resnet.shadow.failures")
                .description("Batches the shadow model failed on; their main outcomes were not affected")
                .register(registry);
        for (RejectReason r : RejectReason.values()) {
            deadLetters.put(
                    r,
                    Counter.builder("resnet.dead.letters")
                            .tag("reason", r.name())
                            .register(registry));
        }
    }

    @Override
    public void batchDone(int images, long millis) {
        batchImages.record(images);
        batchTime.record(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void batchAbandoned(int images) {
        abandoned.increment();
    }

    @Override
    public void shadowFailed(int images) {
        shadowFailures.increment();
    }

    void predicted(long latencyMillis) {
        predictions.increment();
        endToEnd.record(latencyMillis, TimeUnit.MILLISECONDS);
    }

    void deadLettered(RejectReason reason) {
        deadLetters.get(reason).increment();
    }
}
