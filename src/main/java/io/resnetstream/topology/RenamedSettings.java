package io.resnetstream.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;

/**
 * The flat {@code resnet.*} keys of the first releases and the grouped keys that replaced them. Nothing reads
 * an old key any more, so a deployment that still sets one would quietly run on the default: instead the
 * service and the tools refuse to start and name the new key.
 */
public final class RenamedSettings {
    /** Old key → new key. */
    static final Map<String, String> RENAMED = new TreeMap<>(Map.ofEntries(
            Map.entry("resnet.model-dir", "resnet.model.dir"),
            Map.entry("resnet.crop-scheme", "resnet.model.crop-scheme"),
            Map.entry("resnet.normalization", "resnet.model.normalization"),
            Map.entry("resnet.resize", "resnet.model.resize"),
            Map.entry("resnet.crop", "resnet.model.crop"),
            Map.entry("resnet.top-k", "resnet.model.top-k"),
            Map.entry("resnet.max-batch-images", "resnet.batch.max-images"),
            Map.entry("resnet.max-batch-delay-ms", "resnet.batch.max-delay"),
            Map.entry("resnet.batches-in-flight", "resnet.batch.in-flight"),
            Map.entry("resnet.preprocess-threads", "resnet.batch.preprocess-threads"),
            Map.entry("resnet.max-image-bytes", "resnet.limits.image-bytes"),
            Map.entry("resnet.max-image-pixels", "resnet.limits.image-pixels"),
            Map.entry("resnet.dead-letter-payload-cap", "resnet.limits.dead-letter-payload-cap"),
            Map.entry("resnet.fetch-allowed-schemes", "resnet.fetch.allowed-schemes"),
            Map.entry("resnet.fetch-allowed-prefixes", "resnet.fetch.allowed-prefixes"),
            Map.entry("resnet.registry-url", "resnet.registry.url"),
            Map.entry("resnet.registry-basic-auth", "resnet.registry.basic-auth"),
            Map.entry("resnet.registry-auto-register", "resnet.registry.auto-register"),
            Map.entry("resnet.topic.images", "resnet.topics.images"),
            Map.entry("resnet.topic.predictions", "resnet.topics.predictions"),
            Map.entry("resnet.topic.dead-letters", "resnet.topics.dead-letters")));

    private RenamedSettings() {}

    /** @throws IllegalStateException naming every old key that is set, and its new name */
    public static void rejectOldKeys(Config config) {
        List<String> found = new ArrayList<>();
        RENAMED.forEach((old, now) -> {
            ConfigValue value = config.getConfigValue(old);
            if (value.getValue() != null && !sameEntry(value, config.getConfigValue(now))) {
                found.add(old + " (set in " + value.getSourceName() + ") is now " + now
                        + (old.endsWith("-ms") ? ", with a unit: 100ms, 2s" : ""));
            }
        });
        if (!found.isEmpty()) {
            throw new IllegalStateException("Settings were renamed: " + String.join("; ", found));
        }
    }

    /**
     * Several keys kept their environment variable ({@code RESNET_MODEL_DIR} is both {@code resnet.model-dir}
     * and {@code resnet.model.dir}): such a variable answers to the old name too, and is no old setting.
     */
    private static boolean sameEntry(ConfigValue old, ConfigValue now) {
        return Objects.equals(old.getSourceName(), now.getSourceName())
                && Objects.equals(old.getValue(), now.getValue());
    }
}
