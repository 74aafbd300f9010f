package io.resnetstream.testing;

import java.util.UUID;

import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.topology.ResnetConfig;

/**
 * The shared local stack the integration tests run against ({@code deploy/stack.sh}): the broker from system
 * property {@code it.bootstrap}, the registry from {@code it.registry}, by default local Apicurio's Confluent API.
 * Names are made unique per run, so runs never collide on a shared stack.
 */
public final class LocalStack {
    public static final String BOOTSTRAP = System.getProperty("it.bootstrap", "127.0.0.1:9092");
    public static final String REGISTRY_URL = System.getProperty("it.registry", ResnetConfig.Registry.DEFAULT_URL);

    private LocalStack() {}

    /** A fresh client, hence empty caches: as another process would see the registry. */
    public static HttpSchemaRegistry newRegistryClient() {
        return registryClient(REGISTRY_URL);
    }

    public static HttpSchemaRegistry registryClient(String url) {
        return new HttpSchemaRegistry(RegistrySettings.builder(url).build());
    }

    public static String unique(String name) {
        return name + "-" + UUID.randomUUID();
    }
}
