package io.resnetstream.registry.serde;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.resnetstream.contracts.ClassScore;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.contracts.InputRef;
import io.resnetstream.contracts.ModelRef;
import io.resnetstream.contracts.Prediction;
import io.resnetstream.contracts.Timings;

/** Records with every field set, including the awkward ones: bytes, maps, unions, timestamps, non-ASCII. */
final class Samples {

    private Samples() {}

    static ImageEvent imageEvent() {
        return ImageEvent.newBuilder()
                .setImageId("img-ü-0001")
                .setData(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff, 0x7f, (byte) 0x80}))
                .setContentType("image/png")
                .setSource("camera-north")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setAttributes(Map.of("site", "Zürich", "lens", "35mm"))
                .build();
    }

    static Prediction prediction() {
        return Prediction.newBuilder()
                .setImageId("img-0001")
                .setModel(new ModelRef("resnet50", "1", "9f86d081884c7d65"))
                .setTopK(List.of(
                        new ClassScore(207, "golden retriever", 0.8125f),
                        new ClassScore(208, "Labrador retriever", 0.1f)))
                .setCropScheme("ten-crop")
                .setCropsAveraged(10)
                .setTopCropVotes(9)
                .setTimings(new Timings(12L, 340L, 32))
                .setSource(new InputRef("images", 3, 1_234_567L))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setPredictedAt(Instant.ofEpochMilli(1_700_000_004_567L))
                .build();
    }
}
