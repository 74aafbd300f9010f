package io.resnetstream.testing;

import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.topology.ResnetConfig;

import java.util.UUID;

/**
 * The registry the integration tests run against: system property {@code it.registry}, by default a local
 * Apicurio's Confluent API. Names are made unique per run, so runs never collide on a shared registry.
 */
public final class ItRegistry {

    private ItRegistry() {
    }

    public static String url() {
        return System.getProperty("it.registry", ResnetConfig.Registry.DEFAULT_URL);
    }

    /** A fresh client, hence empty caches: as another process would see the registry. */
    public static HttpSchemaRegistry newClient() {
        return new HttpSchemaRegistry(RegistrySettings.builder(url()).build());
    }

    public static String unique(String name) {
        return name + "-" + UUID.randomUUID();
    }
}
