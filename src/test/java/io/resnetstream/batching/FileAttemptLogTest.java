package io.resnetstream.batching;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.resnetstream.batching.AttemptLog.ImageRef;

import static org.assertj.core.api.Assertions.assertThat;

class FileAttemptLogTest {
    private static final ImageRef A = new ImageRef("images", 0, 41);
    private static final ImageRef B = new ImageRef("images", 3, 7);

    @TempDir
    Path dir;

    @Test
    void countsSurviveTheProcessThatWroteThem() {
        Path file = dir.resolve("attempts.log");
        FileAttemptLog first = new FileAttemptLog(file);
        first.starting(List.of(A, B));
        first.starting(List.of(A));
        first.finished(B);
        // no close: the process died

        FileAttemptLog second = new FileAttemptLog(file);
        assertThat(second.attempts(A)).isEqualTo(2);
        assertThat(second.attempts(B)).isZero();
        second.close();
    }

    @Test
    void openingWritesBackOnlyTheImagesStillCounted() throws Exception {
        Path file = dir.resolve("attempts.log");
        FileAttemptLog log = new FileAttemptLog(file);
        for (int i = 0; i < 50; i++) {
            ImageRef image = new ImageRef("images", 1, i);
            log.starting(List.of(image));
            log.finished(image);
        }
        log.starting(List.of(A));
        log.close();

        new FileAttemptLog(file).close();
        assertThat(Files.readAllLines(file)).containsExactly("+ images 0 41");
    }

    @Test
    void aLineTornByTheCrashIsSkipped() throws Exception {
        Path file = dir.resolve("attempts.log");
        FileAttemptLog log = new FileAttemptLog(file);
        log.starting(List.of(A));
        Files.writeString(file, "+ images 3 7", StandardCharsets.UTF_8, StandardOpenOption.APPEND); // no number end
        Files.writeString(file, "\n+ ima", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        FileAttemptLog reopened = new FileAttemptLog(file);
        assertThat(reopened.attempts(A)).isEqualTo(1);
        assertThat(reopened.attempts(B)).isEqualTo(1);
        reopened.close();
    }
}
