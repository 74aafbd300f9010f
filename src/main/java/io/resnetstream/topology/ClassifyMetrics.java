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
 * What operators of a batching server ask for first: the batch size actually formed, time queued, time per batch
 * and outcomes by kind ({@link ModelMetrics}: the model that made them). Names follow Micrometer's conventions (dotted, base units), so that
 * Prometheus sees {@code resnet_batch_images}, {@code resnet_image_queued_seconds}, {@code resnet_predictions_total},
 * {@code resnet_model_info} and so on; {@code deploy/grafana} and {@code deploy/prometheus} query them, and
 * {@code docs/operations.md} lists them.
 */
public final class ClassifyMetrics implements BatchCoordinator.BatchListener {
    private final DistributionSummary batchImages;
    private final Timer batchTime;
    private final Timer queued;
    private final Timer endToEnd;
    private final Counter predictions;
    private final Counter abandoned;
    private final Counter shadowFailures;
    private final Map<RejectReason, Counter> deadLetters = new EnumMap<>(RejectReason.class);

    public ClassifyMetrics(MeterRegistry registry) {
        batchImages = DistributionSummary.builder("resnet.batch.images")
                .description("Images per forward pass: the batch size actually formed")
                .publishPercentileHistogram()
                .register(registry);
        // histograms rather than client-side percentiles: Prometheus aggregates buckets across instances
        batchTime = Timer.builder("resnet.batch.duration")
                .description("Wall time of one batch: decoding, cropping and the forward pass")
                .publishPercentileHistogram()
                .register(registry);
        queued = Timer.builder("resnet.image.queued")
                .description("From acceptance into the buffer to the start of the image's batch")
                .publishPercentileHistogram()
                .register(registry);
        endToEnd = Timer.builder("resnet.image.latency")
                .description("From acceptance into the buffer to the prediction")
                .publishPercentileHistogram()
                .register(registry);
        predictions = Counter.builder("resnet.predictions")
                .description("Predictions forwarded (committed with the transaction that forwards them)")
                .register(registry);
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
                            .description("Dead letters forwarded, by reason")
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

    void predicted(long queuedMillis, long latencyMillis) {
        predictions.increment();
        queued.record(queuedMillis, TimeUnit.MILLISECONDS);
        endToEnd.record(latencyMillis, TimeUnit.MILLISECONDS);
    }

    void deadLettered(RejectReason reason) {
        deadLetters.get(reason).increment();
    }
}
