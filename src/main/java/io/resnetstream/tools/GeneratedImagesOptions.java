package io.resnetstream.tools;

import picocli.CommandLine.Option;

import io.resnetstream.topology.ResnetConfig;

/** The generated images the benchmarks send and how they are cut: shared by {@code bench} and {@code bench sweep}. */
public final class GeneratedImagesOptions {
    @Option(
            names = "--crop-scheme",
            defaultValue = ResnetConfig.Model.DEFAULT_CROP_SCHEME,
            description = "ten-crop or center-crop (default: ${DEFAULT-VALUE})")
    String cropScheme;

    @Option(
            names = "--image-size",
            defaultValue = "320",
            description = "Side of the generated JPEGs (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(
            names = "--partitions",
            defaultValue = "3",
            description = "Partitions of the input topic (default: ${DEFAULT-VALUE})")
    int partitions;
}
