package io.resnetstream.topology;

import java.nio.file.Path;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.ModelWatcher;

/** Which model serves (a gauge of 1 tagged with its name, version and digest), and the switches to new ones. */
final class ModelMetrics implements ModelWatcher.Listener {
    private final MultiGauge serving;
    private final Counter switches;
    private final Counter loadFailures;

    ModelMetrics(MeterRegistry registry, BatchClassifier.ModelIdentity first) {
        serving = MultiGauge.builder("resnet.model.info")
                .description("1 for the model serving now, tagged with its name, version and digest")
                .register(registry);
        switches = Counter.builder("resnet.model.switches")
                .description("New models put into service while running")
                .register(registry);
        loadFailures = Counter.builder("resnet.model.load.failures")
                .description("New models that failed to load; the running model served on")
                .register(registry);
        show(first);
    }

    private void show(BatchClassifier.ModelIdentity model) {
        serving.register(
                List.of(MultiGauge.Row.of(
                        Tags.of(
                                "name", model.manifest().name(),
                                "version", model.manifest().version(),
                                "digest", model.manifest().digest()),
                        1)),
                true);
    }

    @Override
    public void switched(BatchClassifier.ModelIdentity from, BatchClassifier.ModelIdentity to) {
        switches.increment();
        show(to);
    }

    @Override
    public void loadFailed(Path dir, Exception why) {
        loadFailures.increment();
    }
}
