package io.resnetstream.testing;

import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SysPropConfigSource;

import io.resnetstream.topology.ResnetConfig;

/**
 * The service's {@link ResnetConfig} mapping built from the given values over its own defaults, with no
 * environment and no {@code application.properties}: a developer's {@code RESNET_*} variables never leak into
 * a test. JVM properties stay, for the defaults that name one ({@code java.io.tmpdir}).
 */
public final class TestConfig {

    private TestConfig() {}

    public static ResnetConfig resnet(Map<String, String> values) {
        return config(values).getConfigMapping(ResnetConfig.class);
    }

    public static SmallRyeConfig config(Map<String, String> values) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(values, "test", 500), new SysPropConfigSource())
                .withMapping(ResnetConfig.class)
                .build();
    }
}
