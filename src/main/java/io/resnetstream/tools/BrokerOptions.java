package io.resnetstream.tools;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import picocli.CommandLine.Option;

import io.resnetstream.registry.HttpSchemaRegistry;
import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.topology.ResnetConfig;

/** Where the broker and the registry are, and how to authenticate to them; shared by the commands that talk to them. */
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

    @Option(
            names = {"--client-config", "--kafka-config"},
            paramLabel = "FILE",
            defaultValue = "${env:RESNET_CLIENT_CONFIG}",
            description = "Client configuration, Confluent's format: Kafka client properties (security.protocol, "
                    + "sasl.*, ssl.*) for every Kafka client, and the registry's basic.auth.user.info, "
                    + "schema.registry.ssl.truststore.* and schema.registry.ssl.keystore.* (default: "
                    + "$RESNET_CLIENT_CONFIG, else none)")
    Path clientConfig;

    @Option(
            names = {"-X", "--client-property"},
            paramLabel = "KEY=VALUE",
            description = "One client configuration property, over those of --client-config (repeatable)")
    Map<String, String> clientProperties = new LinkedHashMap<>();

    /** The connections these options describe. */
    ClientConfig clientConfig() {
        return new ClientConfig(bootstrap, registry, ClientConfig.read(clientConfig, clientProperties));
    }

    Properties clientProperties() {
        return clientConfig().kafkaProperties();
    }

    SchemaRegistry registryClient() {
        return new HttpSchemaRegistry(clientConfig().registrySettings());
    }
}
