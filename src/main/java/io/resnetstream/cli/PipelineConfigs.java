package io.resnetstream.cli;

import java.util.Map;

import io.resnetstream.topology.PipelineConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The service's {@link PipelineConfig} outside Quarkus: the given values over env, system properties and defaults. */
final class PipelineConfigs {
    private PipelineConfigs() {
    }

    static PipelineConfig load(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultSources()
                .withSources(new PropertiesConfigSource(values, "command line", 500))
                .withMapping(PipelineConfig.class)
                .build();
        return config.getConfigMapping(PipelineConfig.class);
    }
}
