package io.resnetstream.testing;

import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.SchemaRegistryClient;

import java.util.UUID;

/**
 * The registry the integration tests run against: system property {@code it.registry}, by default a local
 * Apicurio's Confluent API. Names are made unique per run, so runs never collide on a shared registry.
 */
public final class ItRegistry {

    private ItRegistry() {
    }

    public static String url() {
        return System.getProperty("it.registry", "http://127.0.0.1:8081/apis/ccompat/v7");
    }

    /** A fresh client, hence empty caches: as another process would see the registry. */
    public static SchemaRegistryClient newClient() {
        return new SchemaRegistryClient(RegistrySettings.builder(url()).build());
    }

    public static String unique(String name) {
        return name + "-" + UUID.randomUUID();
    }
}
