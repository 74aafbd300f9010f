package io.resnetstream.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.resnetstream.registry.RegistrySettings.StoreLocation;

/** Builds the SSL context for HTTPS registries from the configured trust and key stores. */
final class TlsContext {

    private TlsContext() {}

    /** Null stores fall back to the JVM's defaults (its cacerts, no client certificate). */
    static SSLContext create(StoreLocation trustStore, StoreLocation keyStore) {
        try {
            TrustManagerFactory trust = null;
            if (trustStore != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(trustStore, "trust"));
            }
            KeyManagerFactory keys = null;
            if (keyStore != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load(keyStore, "key"), password(keyStore));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot set up TLS for the schema registry: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(StoreLocation location, String role) {
        try (InputStream in = Files.newInputStream(location.path())) {
            KeyStore store = KeyStore.getInstance(location.type());
            store.load(in, password(location));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "Cannot read the registry " + role + " store " + location.path() + ": " + e.getMessage(), e);
        }
    }

    private static char[] password(StoreLocation location) {
        return location.password() == null ? null : location.password().toCharArray();
    }
}
