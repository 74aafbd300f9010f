package io.resnetstream.registry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.avro.Schema;
import org.jboss.logging.Logger;

/**
 * A registry whose passing failures are waited out. An answer about the request (unknown id, a schema of no use,
 * an incompatible or unregistered schema) passes straight through: it is the record's or the release's fault. A
 * failure of the registry itself (no answer, a timeout, 5xx, 429, or 401/403 while credentials are being fixed) is
 * retried with exponential backoff, up to {@code retryFor}; meanwhile {@link #unavailableSince()} says so, for
 * readiness. Past {@code retryFor} the last failure is thrown, and the caller's own retry takes over (Kafka
 * Streams replaces the stream thread, which reads the same record again).
 */
public final class RetryingSchemaRegistry implements SchemaRegistry {
    private static final Logger LOG = Logger.getLogger(RetryingSchemaRegistry.class);
    private static final long FIRST_PAUSE_MS = 100;
    private static final long LONGEST_PAUSE_MS = 10_000;

    private final SchemaRegistry registry;
    private final long retryForNanos;
    private volatile long unavailableSinceMillis;
    private volatile String lastFailure;

    /** @param retryFor how long one call keeps trying; well inside Kafka Streams' poll interval */
    public RetryingSchemaRegistry(SchemaRegistry registry, Duration retryFor) {
        this.registry = registry;
        this.retryForNanos = retryFor.toNanos();
    }

    /** When the registry stopped answering (epoch ms), or 0 while it answers. */
    public long unavailableSince() {
        return unavailableSinceMillis;
    }

    /** The last failure while {@link #unavailableSince()} is set. */
    public String lastFailure() {
        return lastFailure;
    }

    /** Whether a failure is the registry's own (and may pass), not an answer about the request. */
    static boolean isTransient(RegistryException e) {
        if (e instanceof IncompatibleSchemaException || e instanceof SchemaNotRegisteredException) {
            return false;
        }
        int status = e.httpStatus();
        return status == 0 || status >= 500 || status == 408 || status == 429 || status == 401 || status == 403;
    }

    private <T> T retried(String what, Supplier<T> call) {
        long start = System.nanoTime();
        long pause = FIRST_PAUSE_MS;
        while (true) {
            try {
                T result = call.get();
                if (unavailableSinceMillis != 0) {
                    LOG.infof("the schema registry answers again (%s)", what);
                    unavailableSinceMillis = 0;
                    lastFailure = null;
                }
                return result;
            } catch (RegistryException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                if (unavailableSinceMillis == 0) {
                    unavailableSinceMillis = System.currentTimeMillis();
                    LOG.warnf("the schema registry failed (%s): %s; retrying", what, e.getMessage());
                }
                lastFailure = e.getMessage();
                if (System.nanoTime() - start + TimeUnit.MILLISECONDS.toNanos(pause) > retryForNanos) {
                    throw e;
                }
                sleep(pause);
                pause = Math.min(LONGEST_PAUSE_MS, pause * 2);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting for the schema registry", 0, 0, e);
        }
    }

    @Override
    public int register(String subject, Schema schema) {
        return retried("register " + subject, () -> registry.register(subject, schema));
    }

    @Override
    public int lookup(String subject, Schema schema) {
        return retried("look up " + subject, () -> registry.lookup(subject, schema));
    }

    @Override
    public Schema getById(int id) {
        return retried("schema id " + id, () -> registry.getById(id));
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return retried("latest " + subject, () -> registry.latest(subject));
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        return retried("compatibility of " + subject, () -> registry.isCompatible(subject, schema));
    }

    @Override
    public void setCompatibility(String subject, String level) {
        retried("set compatibility", () -> {
            registry.setCompatibility(subject, level);
            return null;
        });
    }

    @Override
    public String getCompatibility(String subject) {
        return retried("compatibility", () -> registry.getCompatibility(subject));
    }
}
