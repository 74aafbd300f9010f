package io.resnetstream.topology;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.resnetstream.batching.BatchCoordinator;
import io.resnetstream.batching.internal.PendingImage;
import io.resnetstream.contracts.ClassScore;
import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.InputRef;
import io.resnetstream.contracts.ModelRef;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.contracts.Timings;
import io.resnetstream.imaging.CropScheme;
import io.resnetstream.inference.BatchClassifier;
import io.resnetstream.inference.ImageScores;
import io.resnetstream.inference.ModelManifest;
import io.resnetstream.outcome.RejectedInputException;

/** Builds the output records: a {@link Prediction} or a {@link DeadLetter} for each input. */
public final class Outcomes {
    /** A dead letter's message is cut here: decoders' messages can quote their input. */
    static final int MAX_MESSAGE_CHARS = 4096;

    private final ModelRef model;
    private final List<String> labels;
    private final CropScheme cropScheme;
    private final int payloadCap;

    public Outcomes(ModelManifest manifest, List<String> labels, CropScheme cropScheme, int payloadCap) {
        this.model = refOf(manifest);
        this.labels = labels;
        this.cropScheme = cropScheme;
        this.payloadCap = payloadCap;
    }

    public Prediction prediction(BatchCoordinator.Done done, long now) {
        return prediction(done, done.result(), now);
    }

    /** What the shadow model made of the image: a prediction for the shadow topic, naming the shadow model. */
    public Prediction shadowPrediction(BatchCoordinator.Done done, long now) {
        return prediction(done, done.shadow(), now);
    }

    private Prediction prediction(BatchCoordinator.Done done, BatchClassifier.Result result, long now) {
        PendingImage image = done.image();
        ImageScores scores = result.scores();
        // the model that ran the batch: after a switch, no longer the one the pipeline started with
        ModelRef by = result.model() == null ? model : refOf(result.model().manifest());
        List<String> names = result.model() == null ? labels : result.model().labels();
        List<ClassScore> top = new ArrayList<>(scores.topClasses().length);
        for (int i = 0; i < scores.topClasses().length; i++) {
            int c = scores.topClasses()[i];
            top.add(new ClassScore(c, c < names.size() ? names.get(c) : "class_" + c, scores.topProbabilities()[i]));
        }
        return Prediction.newBuilder()
                .setImageId(image.getImageId())
                .setModel(by)
                .setTopK(top)
                .setCropScheme(cropScheme.id())
                .setCropsAveraged(scores.views())
                .setTopCropVotes(scores.topViewVotes())
                .setTimings(new Timings(
                        Math.max(0, done.batchStartedAt() - image.getAcceptedAt()),
                        done.batchMillis(),
                        done.batchImages()))
                .setSource(new InputRef(image.getTopic(), image.getPartition(), image.getOffset()))
                .setEventTime(image.getEventTime() == null ? null : Instant.ofEpochMilli(image.getEventTime()))
                .setPredictedAt(Instant.ofEpochMilli(now))
                .build();
    }

    private static ModelRef refOf(ModelManifest manifest) {
        return new ModelRef(manifest.name(), manifest.version(), manifest.digest());
    }

    private byte[] cut(byte[] bytes) {
        return bytes.length <= payloadCap ? bytes : Arrays.copyOf(bytes, payloadCap);
    }

    /** A dead letter for a record rejected at intake, or an image that failed in its batch. */
    public DeadLetter deadLetter(
            String topic,
            int partition,
            long offset,
            byte[] key,
            String imageId,
            byte[] payload,
            RejectedInputException why,
            long now) {
        // every part is bounded, so a dead letter always fits the producer's request size, whatever came in
        byte[] kept = payload == null ? new byte[0] : cut(payload);
        String message = String.valueOf(why.getMessage());
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(cut(key)))
                .setImageId(imageId)
                .setReason(why.reason().name())
                .setMessage(
                        message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "…")
                .setPayload(ByteBuffer.wrap(kept))
                .setPayloadSize(payload == null ? 0 : payload.length)
                .setFailedAt(Instant.ofEpochMilli(now))
                .build();
    }
}
