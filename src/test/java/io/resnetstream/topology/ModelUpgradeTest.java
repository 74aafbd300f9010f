package io.resnetstream.topology;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.resnetstream.contracts.Prediction;
import io.resnetstream.registry.InMemorySchemaRegistry;
import io.resnetstream.testing.ColourClassifier;
import io.resnetstream.testing.PipelineDriver;
import io.resnetstream.testing.TestImages;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new model put into service mid-stream, and a shadow model beside the main one, on the production assembly:
 * every image one prediction, each naming the model that made it; the shadow never touches the main output.
 */
class ModelUpgradeTest {
    private static final Color[] COLOURS = {Color.RED, Color.GREEN, Color.BLUE};

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @TempDir
    Path stateDir;

    private PipelineDriver pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private static final Map<String, String> BATCHES_OF_FOUR = Map.of(
            "resnet.input-format", "raw",
            "resnet.batch.max-images", "4",
            "resnet.batch.max-delay", "60s",
            "resnet.batch.in-flight", "0");

    @Test
    void aModelSwitchedMidStreamTakesOverAtABatchBoundaryAndNoImageIsLostOrClassifiedTwice() {
        ColourClassifier first = new ColourClassifier("1");
        pipeline = new PipelineDriver(BATCHES_OF_FOUR, first, registry, stateDir);
        send(0, 6); // one batch of four runs on version 1; two images wait in the buffer

        ColourClassifier second = new ColourClassifier("2");
        pipeline.pipeline.models().replace(Pipeline.batchClassifier(pipeline.config, second));
        assertThat(first.closed)
                .as("no batch runs on the old model: closed at once")
                .isTrue();
        send(6, 12);

        List<Prediction> out = pipeline.predictions.readValuesToList();
        assertThat(out).extracting(Prediction::getImageId).containsExactlyElementsOf(ids(0, 12));
        // the two that waited at the switch ran in the first batch after it, on the new model
        assertThat(out)
                .extracting(p -> p.getModel().getVersion())
                .containsExactly("1", "1", "1", "1", "2", "2", "2", "2", "2", "2", "2", "2");
        assertThat(out)
                .extracting(p -> p.getTopK().get(0).getLabel())
                .containsExactly(
                        "red", "green", "blue", "red", "green", "blue", "red", "green", "blue", "red", "green", "blue");
        assertThat(first.passes).containsExactly(40);
        assertThat(second.passes).containsExactly(40, 40);
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.buffer().approximateNumEntries()).isZero();
    }

    @Test
    void theShadowModelClassifiesTheSameImagesIntoItsOwnTopicOnly() {
        ColourClassifier main = new ColourClassifier("1");
        ColourClassifier candidate = new ColourClassifier("2-candidate");
        pipeline = new PipelineDriver(BATCHES_OF_FOUR, main, candidate, registry, stateDir);
        send(0, 8);

        List<Prediction> out = pipeline.predictions.readValuesToList();
        List<Prediction> shadow = pipeline.shadowPredictions.readValuesToList();
        assertThat(out).extracting(Prediction::getImageId).containsExactlyElementsOf(ids(0, 8));
        assertThat(out).allSatisfy(p -> assertThat(p.getModel().getVersion()).isEqualTo("1"));
        assertThat(shadow).extracting(Prediction::getImageId).containsExactlyElementsOf(ids(0, 8));
        assertThat(shadow).allSatisfy(p -> assertThat(p.getModel().getVersion()).isEqualTo("2-candidate"));
        assertThat(candidate.passes).containsExactly(40, 40);
    }

    @Test
    void aFailingShadowModelCostsTheMainOutputNothing() {
        ColourClassifier main = new ColourClassifier("1");
        ColourClassifier broken = new ColourClassifier("broken") {
            @Override
            public float[][] classify(float[] nhwc, int views) {
                throw new IllegalStateException("the candidate's graph is broken");
            }
        };
        pipeline = new PipelineDriver(BATCHES_OF_FOUR, main, broken, registry, stateDir);
        send(0, 8);

        assertThat(pipeline.predictions.readValuesToList())
                .extracting(Prediction::getImageId)
                .containsExactlyElementsOf(ids(0, 8));
        assertThat(pipeline.shadowPredictions.isEmpty()).isTrue();
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.meters.get("resnet.shadow.failures").counter().count())
                .isEqualTo(2.0);
    }

    private void send(int from, int to) {
        for (int i = from; i < to; i++) {
            pipeline.images.pipeInput(
                    ("img-" + i).getBytes(StandardCharsets.UTF_8),
                    TestImages.png(TestImages.solid(COLOURS[i % 3], 20, 30)));
        }
    }

    private static List<String> ids(int from, int to) {
        return java.util.stream.IntStream.range(from, to)
                .mapToObj(i -> "img-" + i)
                .toList();
    }
}
