package io.resnetstream.tools;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The backfill's sources (folder, list, glob), its id derivation and its id set. */
class BackfillSourceTest {
    @TempDir
    Path dir;

    private Path file(String relative, String content) throws IOException {
        Path f = dir.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        return f;
    }

    private static List<String> uris(BackfillSource source) {
        try (Stream<BackfillSource.Item> items = source.items()) {
            return items.map(i -> i.uri().toString()).sorted().toList();
        }
    }

    @Test
    void aFolderIsWalkedRecursivelyForImageFilesOnly() throws IOException {
        Path a = file("a.jpg", "x");
        Path b = file("sub/deeper/b.PNG", "y");
        Path c = file("sub/c.webp", "z");
        file("sub/notes.txt", "not an image");
        file("sub/deeper/archive.jpg.bak", "not an image");

        BackfillSource source = BackfillSource.of(dir.toString());

        assertThat(source).isInstanceOf(BackfillSource.Folder.class);
        assertThat(uris(source))
                .containsExactlyElementsOf(Stream.of(a, b, c)
                        .map(p -> p.toUri().toString())
                        .sorted()
                        .toList());
        try (Stream<BackfillSource.Item> items = source.items()) {
            assertThat(items.allMatch(
                            i -> i.file().isPresent() && i.file().get().toUri().equals(i.uri())))
                    .isTrue();
        }
    }

    @Test
    void aFileIsAListOfUrisAndPathsOneALine() throws IOException {
        Path local = file("images/x.jpg", "x");
        Path list = file(
                "list.txt",
                String.join(
                        "\n",
                        "# a comment",
                        "",
                        "https://images.example.com/a/1.jpg",
                        "  " + local + "  ",
                        "file:///data/images/2.png"));

        BackfillSource source = BackfillSource.of(list.toString());

        assertThat(source).isInstanceOf(BackfillSource.UriList.class);
        try (Stream<BackfillSource.Item> items = source.items()) {
            List<BackfillSource.Item> all = items.toList();
            assertThat(all)
                    .extracting(i -> i.uri().toString())
                    .containsExactly(
                            "https://images.example.com/a/1.jpg",
                            local.toUri().toString(),
                            "file:///data/images/2.png");
            assertThat(all.get(0).file()).isEmpty();
            assertThat(all.get(1).file()).contains(local);
            assertThat(all.get(2).file()).contains(Path.of("/data/images/2.png"));
        }
    }

    @Test
    void aGlobWalksFromItsFixedFolderAndMatchesTheWholePath() throws IOException {
        Path in = file("2024-01/cats/a.jpg", "x");
        Path deep = file("2024-02/dogs/more/b.jpg", "y");
        file("2024-02/dogs/c.png", "z");
        file("2023-12/d.jpg", "w");

        BackfillSource source = BackfillSource.of(dir + "/2024-*/**.jpg");

        assertThat(source).isInstanceOf(BackfillSource.Glob.class);
        assertThat(((BackfillSource.Glob) source).base()).isEqualTo(dir.toAbsolutePath());
        assertThat(uris(source))
                .containsExactly(in.toUri().toString(), deep.toUri().toString());
    }

    @Test
    void somethingElseIsRefused() {
        assertThatThrownBy(() -> BackfillSource.of(dir.resolve("missing").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither a folder");
    }

    @Test
    void idsAreDerivedDeterministically() {
        BackfillIds byPath = new BackfillIds(BackfillIds.Kind.PATH, "run2:");
        assertThat(byPath.fromUri("file:///data/a.jpg")).isEqualTo("run2:file:///data/a.jpg");

        BackfillIds byContent = new BackfillIds(BackfillIds.Kind.CONTENT, "");
        byte[] bytes = "the same bytes".getBytes(StandardCharsets.UTF_8);
        String id = byContent.fromContent(bytes);
        assertThat(id).matches("sha256:[0-9a-f]{64}");
        assertThat(byContent.fromContent(bytes.clone())).isEqualTo(id);
        assertThat(byContent.fromContent("other bytes".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(id);

        assertThat(BackfillIds.hash128("a")).containsExactly(BackfillIds.hash128("a"));
        assertThat(BackfillIds.hash128("a")).isNotEqualTo(BackfillIds.hash128("b"));
        assertThat(BackfillIds.fits("x".repeat(1024))).isTrue();
        assertThat(BackfillIds.fits("é".repeat(513))).isFalse(); // 1026 UTF-8 bytes
    }

    @Test
    void theIdSetHoldsManyIdsWithoutFalsePositives() {
        IdSet set = new IdSet(16);
        for (int i = 0; i < 200_000; i++) {
            assertThat(set.add("file:///data/" + i + ".jpg")).isTrue();
        }
        assertThat(set.add("file:///data/7.jpg")).isFalse();
        assertThat(set.size()).isEqualTo(200_000);
        for (int i = 0; i < 200_000; i++) {
            assertThat(set.contains("file:///data/" + i + ".jpg")).isTrue();
            assertThat(set.contains("file:///other/" + i + ".jpg")).isFalse();
        }
    }

    @Test
    void resultsAreCsvAndJsonLinesAndSummarised() throws IOException {
        Path base = dir.resolve("out/results");
        try (var results = new BackfillResults(base, false)) {
            results.write(new BackfillResults.Row(
                    "file:///a,1.jpg",
                    "file:///a,1.jpg",
                    BackfillResults.Outcome.PREDICTION,
                    "circle",
                    0.9f,
                    10,
                    10,
                    "shapes-resnet20",
                    "1",
                    null,
                    null));
            results.write(BackfillResults.Row.notSent("b", "file:///b.jpg", "TOO_LARGE", "say \"no\""));
        }
        try (var results = new BackfillResults(base, true)) {
            results.write(BackfillResults.Row.notSent("b", "file:///b.jpg", "TOO_LARGE", "again"));
        }
        List<String> csv = Files.readAllLines(BackfillResults.csvOf(base));
        assertThat(csv).hasSize(4);
        assertThat(csv.get(0)).isEqualTo(String.join(",", BackfillResults.COLUMNS));
        assertThat(csv.get(1)).startsWith("\"file:///a,1.jpg\",\"file:///a,1.jpg\",PREDICTION,circle,0.9,10,10,");
        assertThat(csv.get(2)).endsWith(",TOO_LARGE,\"say \"\"no\"\"\"");

        BackfillResults.Summary s = BackfillResults.Summary.of(base);
        assertThat(s.rows()).isEqualTo(3);
        assertThat(s.distinctIds()).isEqualTo(2);
        assertThat(s.byOutcome()).containsEntry("PREDICTION", 1L).containsEntry("NOT_SENT", 2L);
        assertThat(s.byLabel()).containsEntry("circle", 1L);
        assertThat(s.byReason()).containsEntry("TOO_LARGE", 2L);
    }

    @Test
    void extensionsAreReadFromTheLastSegment() {
        assertThat(BackfillSource.extension(URI.create("file:///a.b/c.JPG"))).isEqualTo("jpg");
        assertThat(BackfillSource.extension(URI.create("file:///a.b/c"))).isEmpty();
    }
}
