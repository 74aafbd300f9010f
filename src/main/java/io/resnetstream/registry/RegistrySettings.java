package io.resnetstream.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.config.types.Password;

/**
 * How to reach the schema registry. Immutable; build with {@link #builder(String)} or read Confluent's
 * client property names with {@link #fromProperties(Map)}.
 *
 * @param baseUrl        e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}, without credentials or trailing slash
 * @param basicAuth      HTTP basic credentials, or null
 * @param trustStore     trust store for HTTPS, or null for the JVM's default trust
 * @param keyStore       key store holding a client certificate (mutual TLS), or null
 * @param connectTimeout limit on opening a connection
 * @param requestTimeout limit on one request, from send to the whole answer
 */
public record RegistrySettings(
        URI baseUrl,
        BasicAuth basicAuth,
        StoreLocation trustStore,
        StoreLocation keyStore,
        Duration connectTimeout,
        Duration requestTimeout) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Confluent's default store type; Java's JKS keystore also reads PKCS12 files. */
    public static final String DEFAULT_STORE_TYPE = "JKS";

    public RegistrySettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (baseUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("The registry URL must not carry credentials; use basic auth settings");
        }
    }

    /** HTTP basic credentials. */
    public record BasicAuth(String user, String password) {
        public BasicAuth {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "BasicAuth[user=" + user + ", password=***]";
        }
    }

    /** A key or trust store file. {@code type} is a {@link java.security.KeyStore} type: JKS, PKCS12, ... */
    public record StoreLocation(Path path, String password, String type) {
        public StoreLocation {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public String toString() {
            return "StoreLocation[path=" + path + ", type=" + type + ", password=***]";
        }
    }

    public static Builder builder(String baseUrl) {
        return new Builder(baseUrl);
    }

    /**
     * Reads Confluent's client settings: {@code schema.registry.url} (one URL), {@code basic.auth.user.info}
     * ({@code user:password}; also with a {@code schema.registry.} prefix, or as user info in the URL),
     * {@code schema.registry.ssl.truststore.location|password|type},
     * {@code schema.registry.ssl.keystore.location|password|type} (type defaults to JKS, as Confluent's does),
     * {@code http.connect.timeout.ms}, {@code http.read.timeout.ms}. Other keys are ignored, so a whole Kafka
     * client configuration can be passed.
     */
    public static RegistrySettings fromProperties(Map<String, ?> properties) {
        String url = text(properties, "schema.registry.url");
        if (url == null) {
            throw new IllegalArgumentException("schema.registry.url is not set");
        }
        if (url.contains(",")) {
            throw new IllegalArgumentException("schema.registry.url must name one registry, got: " + url);
        }
        Builder builder = builder(url.trim());
        String userInfo = firstText(properties, "basic.auth.user.info", "schema.registry.basic.auth.user.info");
        if (userInfo != null) {
            builder.basicAuth(userInfo);
        }
        StoreLocation trustStore = store(properties, "schema.registry.ssl.truststore");
        if (trustStore != null) {
            builder.trustStore(trustStore);
        }
        StoreLocation keyStore = store(properties, "schema.registry.ssl.keystore");
        if (keyStore != null) {
            builder.keyStore(keyStore);
        }
        String connectMs = text(properties, "http.connect.timeout.ms");
        if (connectMs != null) {
            builder.connectTimeout(Duration.ofMillis(Long.parseLong(connectMs.trim())));
        }
        String readMs = text(properties, "http.read.timeout.ms");
        if (readMs != null) {
            builder.requestTimeout(Duration.ofMillis(Long.parseLong(readMs.trim())));
        }
        return builder.build();
    }

    private static StoreLocation store(Map<String, ?> properties, String prefix) {
        String location = text(properties, prefix + ".location");
        if (location == null) {
            return null;
        }
        String type = text(properties, prefix + ".type");
        return new StoreLocation(
                Path.of(location), text(properties, prefix + ".password"), type == null ? DEFAULT_STORE_TYPE : type);
    }

    private static String firstText(Map<String, ?> properties, String... keys) {
        for (String key : keys) {
            String value = text(properties, key);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** A blank value counts as unset; Kafka's {@link Password} hides its value in toString, so unwrap it. */
    private static String text(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        String text = value instanceof Password password ? password.value() : value == null ? null : value.toString();
        return text == null || text.isBlank() ? null : text;
    }

    /** Builds {@link RegistrySettings}; only the base URL is required. */
    public static final class Builder {
        private final URI baseUrl;
        private BasicAuth basicAuth;
        private StoreLocation trustStore;
        private StoreLocation keyStore;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

        /** Credentials in the URL ({@code http://user:pw@host}) become basic auth, so they never show in messages. */
        private Builder(String baseUrl) {
            URI uri = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
            if (uri.getScheme() == null
                    || uri.getHost() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException("Not an http(s) registry URL: " + baseUrl);
            }
            if (uri.getRawUserInfo() != null) {
                basicAuth(uri.getUserInfo());
                uri = withoutUserInfo(uri);
            }
            this.baseUrl = uri;
        }

        private static URI withoutUserInfo(URI uri) {
            try {
                return new URI(
                        uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("Not a valid registry URL", e);
            }
        }

        public Builder basicAuth(String user, String password) {
            this.basicAuth = new BasicAuth(user, password);
            return this;
        }

        /** Confluent's {@code user:password} form; the password may itself contain colons. */
        public Builder basicAuth(String userInfo) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("Basic auth user info must be user:password");
            }
            return basicAuth(userInfo.substring(0, colon), userInfo.substring(colon + 1));
        }

        public Builder trustStore(StoreLocation trustStore) {
            this.trustStore = trustStore;
            return this;
        }

        public Builder trustStore(Path path, String password, String type) {
            return trustStore(new StoreLocation(path, password, type));
        }

        public Builder keyStore(StoreLocation keyStore) {
            this.keyStore = keyStore;
            return this;
        }

        public Builder keyStore(Path path, String password, String type) {
            return keyStore(new StoreLocation(path, password, type));
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public RegistrySettings build() {
            return new RegistrySettings(baseUrl, basicAuth, trustStore, keyStore, connectTimeout, requestTimeout);
        }
    }
}
