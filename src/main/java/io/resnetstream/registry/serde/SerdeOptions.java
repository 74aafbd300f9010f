package io.resnetstream.registry.serde;

/**
 * How a serde uses the registry, by name rather than by positional booleans (Confluent's {@code auto.register.schemas}
 * and the key/value choice of {@code configure(configs, isKey)}).
 *
 * @param autoRegister register the schema under the topic's subject on first use; else it must already be there
 * @param forKeys      use the {@code <topic>-key} subject instead of {@code <topic>-value}
 */
public record SerdeOptions(boolean autoRegister, boolean forKeys) {

    /** Record values; their schema must already be registered. */
    public static SerdeOptions values() {
        return new SerdeOptions(false, false);
    }

    /** Record keys; their schema must already be registered. */
    public static SerdeOptions keys() {
        return new SerdeOptions(false, true);
    }

    /** The same, registering the schema on first use. */
    public SerdeOptions registeringSchemas() {
        return new SerdeOptions(true, forKeys);
    }

    /** The same, registering the schema on first use when {@code register} is true. */
    public SerdeOptions registeringSchemas(boolean register) {
        return new SerdeOptions(register, forKeys);
    }
}
