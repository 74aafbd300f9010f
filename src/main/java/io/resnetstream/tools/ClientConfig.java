package io.resnetstream.tools;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import io.resnetstream.registry.RegistrySettings;
import io.resnetstream.registry.RegistrySettings.StoreLocation;

/**
 * How the tools reach the broker and the registry: a client configuration in the form Confluent's clients use,
 * one file for both. Kafka client properties ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, ...) go to
 * every Kafka client a tool makes; the registry client reads Confluent's keys ({@code basic.auth.user.info},
 * {@code schema.registry.ssl.truststore.*}, {@code schema.registry.ssl.keystore.*}). A service that a tool starts
 * gets the same connections as its own settings: {@code kafka-streams.*} and {@code resnet.registry.*}.
 *
 * @param bootstrap the brokers
 * @param registryUrl the registry's base URL
 * @param properties the client configuration beyond those two (immutable, sorted)
 */
public record ClientConfig(String bootstrap, String registryUrl, Map<String, String> properties) {

    public ClientConfig {
        properties = Map.copyOf(properties);
    }

    /** Plain clients: no security settings. */
    public static ClientConfig plain(String bootstrap, String registryUrl) {
        return new ClientConfig(bootstrap, registryUrl, Map.of());
    }

    /** A client configuration file ({@code java.util.Properties} format), then the single settings over it. */
    static Map<String, String> read(Path file, Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the client configuration " + file + ": " + e, e);
            }
            p.stringPropertyNames().forEach(k -> all.put(k, p.getProperty(k).trim()));
        }
        all.putAll(overrides);
        return all;
    }

    /** The registry client's keys: Confluent's, read by {@link RegistrySettings#fromProperties(Map)}. */
    private static boolean isRegistryKey(String key) {
        return key.startsWith("schema.registry.")
                || key.startsWith("basic.auth.")
                || key.startsWith("http.connect.timeout")
                || key.startsWith("http.read.timeout");
    }

    /** For a producer, consumer or admin client: the brokers and every Kafka setting of the configuration. */
    public Properties kafkaProperties() {
        Properties p = new Properties();
        properties.forEach((k, v) -> {
            if (!isRegistryKey(k)) {
                p.put(k, v);
            }
        });
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /** The registry's URL with the configuration's basic auth, trust store and key store. */
    public RegistrySettings registrySettings() {
        Map<String, String> p = new TreeMap<>(properties);
        p.put("schema.registry.url", registryUrl);
        return RegistrySettings.fromProperties(p);
    }

    /**
     * The same connections as the service's settings: the brokers, each Kafka client property as
     * {@code kafka-streams.<key>} (Quarkus hands those to Kafka Streams and its clients as they are), and the registry
     * as {@code resnet.registry.*}.
     */
    public Map<String, String> serviceSettings() {
        Map<String, String> s = new TreeMap<>();
        s.put("kafka.bootstrap.servers", bootstrap);
        properties.forEach((k, v) -> {
            if (!isRegistryKey(k) && !k.equals("bootstrap.servers")) {
                s.put("kafka-streams." + k, v);
            }
        });
        RegistrySettings registry = registrySettings();
        s.put("resnet.registry.url", registry.baseUrl().toString());
        if (registry.basicAuth() != null) {
            s.put(
                    "resnet.registry.basic-auth",
                    registry.basicAuth().user() + ":" + registry.basicAuth().password());
        }
        putStore(s, "resnet.registry.trust-store.", registry.trustStore());
        putStore(s, "resnet.registry.key-store.", registry.keyStore());
        return s;
    }

    private static void putStore(Map<String, String> settings, String prefix, StoreLocation store) {
        if (store == null) {
            return;
        }
        settings.put(prefix + "path", store.path().toString());
        settings.put(prefix + "type", store.type());
        if (store.password() != null) {
            settings.put(prefix + "password", store.password());
        }
    }

    /** Passwords and JAAS lines stay out of logs and reports. */
    @Override
    public String toString() {
        return "ClientConfig[bootstrap=" + bootstrap + ", registry=" + registryUrl + ", keys="
                + new TreeMap<>(properties).keySet() + "]";
    }
}
