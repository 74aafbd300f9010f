package io.resnetstream.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Map;
import java.util.Properties;

import io.resnetstream.topology.PipelineConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The service's configuration outside Quarkus, for the tools that run the pipeline in-process: the
 * given values over environment, system properties and the service's own {@code application.properties}.
 */
final class PipelineConfigs {
    private static final String STREAMS_PREFIX = "kafka-streams.";

    private PipelineConfigs() {
    }

    static SmallRyeConfig load(Map<String, String> values) {
        URL appProperties = PipelineConfigs.class.getClassLoader().getResource("application.properties");
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .addDefaultSources()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(values, "command line", 500))
                .withMapping(PipelineConfig.class);
        try {
            if (appProperties != null) {
                builder.withSources(new PropertiesConfigSource(appProperties, 250));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return builder.build();
    }

    static PipelineConfig pipeline(SmallRyeConfig config) {
        return config.getConfigMapping(PipelineConfig.class);
    }

    /** The service's {@code kafka-streams.*} settings (exactly-once, commit interval, compression...). */
    static Properties streams(SmallRyeConfig config) {
        Properties p = new Properties();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(STREAMS_PREFIX)) {
                config.getOptionalValue(name, String.class)
                        .ifPresent(v -> p.put(name.substring(STREAMS_PREFIX.length()), v));
            }
        }
        return p;
    }
}
