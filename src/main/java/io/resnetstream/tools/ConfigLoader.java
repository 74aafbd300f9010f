package io.resnetstream.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Map;
import java.util.Properties;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import io.resnetstream.topology.RenamedSettings;
import io.resnetstream.topology.ResnetConfig;

/**
 * The service's configuration outside Quarkus, for the tools that run the pipeline in-process: the same
 * {@link ResnetConfig} mapping, from the given values over system properties, environment and the service's
 * own {@code application.properties} (Quarkus's order).
 */
final class ConfigLoader {
    private static final String STREAMS_PREFIX = "kafka-streams.";

    private ConfigLoader() {}

    static SmallRyeConfig load(Map<String, String> overrides) {
        URL appProperties = ConfigLoader.class.getClassLoader().getResource("application.properties");
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .addDefaultSources()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(overrides, "command line", 500))
                .withMapping(ResnetConfig.class);
        try {
            if (appProperties != null) {
                builder.withSources(new PropertiesConfigSource(appProperties, 250));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SmallRyeConfig config = builder.build();
        RenamedSettings.rejectOldKeys(config);
        return config;
    }

    static ResnetConfig pipeline(SmallRyeConfig config) {
        return config.getConfigMapping(ResnetConfig.class);
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
