package io.resnetstream.resnet;

import java.util.List;
import java.util.stream.IntStream;

/**
 * What an exported model says about itself besides its weights.
 *
 * @param name          model name for the manifest
 * @param version       model version for the manifest
 * @param normalization preset the model's inputs need (caffe, torch, tf, none)
 * @param resize        shorter side the pipeline resizes to before cropping
 * @param crop          crop side, the network's input size
 * @param labels        class names, one per output
 */
public record ExportSettings(
        String name, String version, String normalization, int resize, int crop, List<String> labels) {

    public ExportSettings {
        labels = List.copyOf(labels);
        if (crop < 1 || resize < crop) {
            throw new IllegalArgumentException("need 0 < crop <= resize, got crop " + crop + ", resize " + resize);
        }
    }

    /**
     * Settings for a network with seeded weights: labels {@code class_0, class_1...}, torch normalisation (unit-scale
     * inputs, what the initialisation assumes), and the paper's resize/crop ratio 256/224.
     */
    public static ExportSettings untrained(ResNetSpec spec, int inputSize) {
        List<String> labels =
                IntStream.range(0, spec.classes()).mapToObj(i -> "class_" + i).toList();
        return new ExportSettings(spec.name(), "1", "torch", Math.round(inputSize * 256f / 224f), inputSize, labels);
    }
}
