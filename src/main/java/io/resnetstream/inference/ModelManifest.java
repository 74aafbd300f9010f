package io.resnetstream.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param viewSignatures the signatures that take the resized 8-bit images and make the views in the graph, by crop
 *                      scheme id ({@link ViewsSignatures}); null for a model without them (older exports, foreign
 *                      models not wrapped), whose views the classifier composes in front of {@code serving_default}
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
        String labelsFile,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> viewSignatures) {

    /** The manifest's file name inside a model directory. */
    public static final String FILE_NAME = "manifest.json";

    /** The labels file's name when a manifest names none (our exports, and models without a manifest). */
    public static final String DEFAULT_LABELS_FILE = "labels.txt";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            // later versions may add fields; older readers skip them
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ModelManifest {
        viewSignatures = viewSignatures == null ? null : Collections.unmodifiableMap(new TreeMap<>(viewSignatures));
    }

    /** A manifest of a model without views signatures. */
    public ModelManifest(
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
        this(
                name,
                version,
                digest,
                normalization,
                resize,
                crop,
                inputName,
                outputName,
                outputIsLogits,
                labelsFile,
                null);
    }

    /** This manifest listing {@code signatures} as its views signatures. */
    public ModelManifest withViewSignatures(Map<String, String> signatures) {
        return new ModelManifest(
                name,
                version,
                digest,
                normalization,
                resize,
                crop,
                inputName,
                outputName,
                outputIsLogits,
                labelsFile,
                signatures);
    }

    /** This manifest with another digest. */
    public ModelManifest withDigest(String newDigest) {
        return new ModelManifest(
                name,
                version,
                newDigest,
                normalization,
                resize,
                crop,
                inputName,
                outputName,
                outputIsLogits,
                labelsFile,
                viewSignatures);
    }

    /** Reads a manifest written by {@link #write(Path)}. */
    public static ModelManifest read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ModelManifest.class);
    }

    /** Writes this manifest as indented JSON. */
    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }
}
