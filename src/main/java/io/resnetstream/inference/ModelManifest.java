package io.resnetstream.inference;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What the pipeline must know about a model: its identity (copied into each prediction) and how its
 * inputs are prepared. Read from {@code manifest.json} beside the SavedModel, or from configuration.
 *
 * @param name          e.g. resnet50
 * @param version       e.g. 1
 * @param digest        sha256 (hex) of the model's files
 * @param normalization preset name: caffe, torch, tf or none
 * @param resize        shorter side before cropping (paper: 256)
 * @param crop          crop size (paper: 224)
 * @param inputName     signature input name
 * @param outputName    signature output name
 * @param outputIsLogits true when the output needs a softmax; false when it is probabilities
 * @param labelsFile    labels file name, relative to the model directory
 */
public record ModelManifest(
        String name,
        String version,
        String digest,
        String normalization,
        int resize,
        int crop,
        String inputName,
        String outputName,
        boolean outputIsLogits,
        String labelsFile) {

    /** The manifest's file name inside a model directory. */
    public static final String FILE_NAME = "manifest.json";

    /** The labels file's name when a manifest names none (our exports, and models without a manifest). */
    public static final String DEFAULT_LABELS_FILE = "labels.txt";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            // later versions may add fields; older readers skip them
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Reads a manifest written by {@link #write(Path)}. */
    public static ModelManifest read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ModelManifest.class);
    }

    /** Writes this manifest as indented JSON. */
    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }
}
