package io.resnetstream.registry.serde;

import io.resnetstream.registry.SchemaRegistry;
import io.resnetstream.testing.LocalStack;

/**
 * The evolution checks on the real registry of the local stack (Apicurio's Confluent API), which refuses an
 * incompatible version with HTTP 409 as Confluent's does.
 */
class PredictionEvolutionIT extends PredictionEvolutionChecks {
    @Override
    SchemaRegistry registry() {
        return LocalStack.newRegistryClient();
    }

    @Override
    String freshTopic() {
        return LocalStack.unique("predictions");
    }
}
