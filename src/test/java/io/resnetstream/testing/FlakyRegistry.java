package io.resnetstream.testing;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.Schema;

import io.resnetstream.registry.RegisteredSchema;
import io.resnetstream.registry.RegistryException;
import io.resnetstream.registry.SchemaRegistry;

/** A registry that answers 503 to the next {@link #failures} calls, as one restarting or overloaded would. */
public final class FlakyRegistry implements SchemaRegistry {
    private final SchemaRegistry registry;
    public final AtomicInteger failures = new AtomicInteger();
    public final AtomicInteger calls = new AtomicInteger();

    public FlakyRegistry(SchemaRegistry registry) {
        this.registry = registry;
    }

    private void maybeFail() {
        calls.incrementAndGet();
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new RegistryException("503 Service Unavailable from the test registry", 503, 0, null);
        }
    }

    @Override
    public int register(String subject, Schema schema) {
        maybeFail();
        return registry.register(subject, schema);
    }

    @Override
    public int lookup(String subject, Schema schema) {
        maybeFail();
        return registry.lookup(subject, schema);
    }

    @Override
    public Schema getById(int id) {
        maybeFail();
        return registry.getById(id);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        maybeFail();
        return registry.latest(subject);
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        maybeFail();
        return registry.isCompatible(subject, schema);
    }

    @Override
    public void setCompatibility(String subject, String level) {
        maybeFail();
        registry.setCompatibility(subject, level);
    }

    @Override
    public String getCompatibility(String subject) {
        maybeFail();
        return registry.getCompatibility(subject);
    }
}
