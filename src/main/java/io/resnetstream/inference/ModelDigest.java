package io.resnetstream.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * SHA-256 identity of a SavedModel: {@code saved_model.pb} and every file under {@code variables/}, in sorted
 * relative-path order, each contributing its path and its bytes (so renaming a file changes the digest).
 * Labels and manifest are left out: they describe the model, they are not the model.
 */
public final class ModelDigest {

    private ModelDigest() {}

    /** Hex digest of the SavedModel in {@code modelDir}. */
    public static String of(Path modelDir) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        for (String relative : modelFiles(modelDir)) {
            sha256.update(relative.getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(modelDir.resolve(relative))) {
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    sha256.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static List<String> modelFiles(Path modelDir) throws IOException {
        List<String> files = new ArrayList<>();
        files.add("saved_model.pb");
        Path variables = modelDir.resolve("variables");
        if (Files.isDirectory(variables)) {
            try (Stream<Path> walk = Files.walk(variables)) {
                walk.filter(Files::isRegularFile)
                        .map(p -> modelDir.relativize(p).toString().replace('\\', '/'))
                        .sorted()
                        .forEach(files::add);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        return files;
    }
}
