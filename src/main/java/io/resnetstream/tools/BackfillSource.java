package io.resnetstream.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a backfill's images come from: a folder (walked recursively), a text file of URIs (one per line), or a
 * glob ({@code /data/images/2024-*}{@code /**.jpg}). Every kind is a lazy {@link Stream}: a folder is walked with
 * {@link Files#walk} (only the open directories of the current branch are held), a list is read line by line, so
 * a million images are never held in memory. The stream must be closed.
 */
sealed interface BackfillSource {

    /** The extensions the service decodes (JPEG, PNG, GIF, BMP, WebP); other files in a folder are left alone. */
    Pattern IMAGE_NAME = Pattern.compile("(?i).*\\.(jpe?g|png|gif|bmp|webp)$");

    /** One image to send: its URI (the event's {@code uri}, and the results' source) and its file when local. */
    record Item(URI uri, Optional<Path> file) {}

    Stream<Item> items();

    /** What was given, for messages and the results summary. */
    String describe();

    /**
     * A folder → {@link Folder}; a regular file → {@link UriList}; a path with glob characters ({@code * ? [ {})
     * → {@link Glob}.
     */
    static BackfillSource of(String spec) {
        Path path = Path.of(spec);
        if (Files.isDirectory(path)) {
            return new Folder(path.toAbsolutePath().normalize());
        }
        if (Files.isRegularFile(path)) {
            return new UriList(path);
        }
        if (spec.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0)) {
            return Glob.of(spec);
        }
        throw new IllegalArgumentException(
                "SOURCE '" + spec + "' is neither a folder, nor a file of URIs, nor a glob (* ? [ {)");
    }

    /** Every image file under a folder, recursively, symbolic links not followed (a link loop cannot trap it). */
    record Folder(Path root) implements BackfillSource {
        @Override
        public Stream<Item> items() {
            return walk(root, f -> true);
        }

        @Override
        public String describe() {
            return "folder " + root;
        }
    }

    /**
     * The image files under the glob's fixed leading folder whose path matches it ({@link PathMatcher} syntax:
     * {@code *} within a name, {@code **} across folders).
     */
    record Glob(Path base, String pattern) implements BackfillSource {
        static Glob of(String spec) {
            Path absolute = Path.of(spec).toAbsolutePath();
            Path base = absolute.getRoot();
            for (Path part : absolute.subpath(0, absolute.getNameCount() - 1)) {
                if (part.toString().chars().anyMatch(c -> "*?[{".indexOf(c) >= 0)) {
                    break;
                }
                base = base.resolve(part);
            }
            return new Glob(base.normalize(), absolute.toString());
        }

        @Override
        public Stream<Item> items() {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            return walk(base, matcher::matches);
        }

        @Override
        public String describe() {
            return "glob " + pattern;
        }
    }

    /**
     * A text file with one image per line: an absolute URI ({@code file:}, {@code https:}, {@code http:}) or a
     * local path (made absolute); blank lines and lines starting with {@code #} are skipped.
     */
    record UriList(Path file) implements BackfillSource {
        @Override
        public Stream<Item> items() {
            BufferedReader reader;
            try {
                reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return reader.lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .map(UriList::item)
                    .onClose(() -> {
                        try {
                            reader.close();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }

        static Item item(String line) {
            if (line.matches("(?i)^(file|https?):.*")) {
                try {
                    URI uri = new URI(line).normalize();
                    Optional<Path> file =
                            uri.getScheme().equalsIgnoreCase("file") ? Optional.of(Path.of(uri)) : Optional.empty();
                    return new Item(uri, file);
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("not a usable URI: " + line, e);
                }
            }
            Path path = Path.of(line).toAbsolutePath().normalize();
            return new Item(path.toUri(), Optional.of(path));
        }

        @Override
        public String describe() {
            return "list " + file;
        }
    }

    private static Stream<Item> walk(Path root, PathMatcher filter) {
        try {
            return Files.walk(root, new FileVisitOption[0])
                    .filter(f -> IMAGE_NAME.matcher(f.getFileName().toString()).matches())
                    .filter(filter::matches)
                    .filter(Files::isRegularFile)
                    .map(f -> new Item(f.toUri(), Optional.of(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lower-case extension of a URI's last segment, "" if none. */
    static String extension(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        int dot = path.lastIndexOf('.');
        return dot < 0 || dot < path.lastIndexOf('/')
                ? ""
                : path.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
