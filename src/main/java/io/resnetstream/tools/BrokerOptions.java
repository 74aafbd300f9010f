package io.resnetstream.tools;

import java.util.Properties;

import picocli.CommandLine.Option;

import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.topology.ResnetConfig;

/** Where the broker and the registry are; shared by the commands that talk to them. */
public class BrokerOptions {
    @Option(
            names = "--bootstrap",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
    String bootstrap;

    // The service's own environment variables and defaults, so a tool finds what the service uses.
    @Option(
            names = "--registry",
            defaultValue = "${env:RESNET_REGISTRY_URL:-" + ResnetConfig.Registry.DEFAULT_URL + "}",
            description = "Schema registry URL (default: ${DEFAULT-VALUE})")
    String registry;

    Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    SchemaRegistry registryClient() {
        return new HttpSchemaRegistry(RegistrySettings.builder(registry).build());
    }
}
