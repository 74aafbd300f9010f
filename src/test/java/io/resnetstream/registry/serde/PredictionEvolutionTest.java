package io.resnetstream.registry.serde;

import io.resnetstream.registry.InMemorySchemaRegistry;
import io.resnetstream.registry.SchemaRegistry;

/** The evolution checks on the in-memory registry, which applies the same compatibility levels. */
class PredictionEvolutionTest extends PredictionEvolutionChecks {
    @Override
    SchemaRegistry registry() {
        return new InMemorySchemaRegistry();
    }

    @Override
    String freshTopic() {
        return "predictions";
    }
}
