package io.resnetstream.registry.serde;

import org.apache.kafka.common.errors.SerializationException;

/** A value that is not in the Confluent wire format: too short, or a wrong magic byte. */
public class MalformedWireFormatException extends SerializationException {

    public MalformedWireFormatException(String message) {
        super(message);
    }
}
