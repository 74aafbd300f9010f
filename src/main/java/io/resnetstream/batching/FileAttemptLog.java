package io.resnetstream.batching;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link AttemptLog} in one append-only text file: a line {@code + topic partition offset} before an image
 * runs (forced to disk with the batch's other lines), {@code - topic partition offset} once it has its outcome.
 * Opening it replays the lines and writes back only the images still counted; so does every
 * {@value #COMPACT_AFTER_LINES} lines. A {@code -} line lost in a crash is harmless: it names an image whose
 * outcome was already produced, which is never looked up again.
 *
 * <p>Safe for the stream threads of one process; two processes must not share a file (each instance has its own
 * state directory).
 */
public final class FileAttemptLog implements AttemptLog {
    static final int COMPACT_AFTER_LINES = 100_000;

    private final Path file;
    private final Map<ImageRef, Integer> counts = new HashMap<>();
    private FileChannel channel;
    private int lines;

    public FileAttemptLog(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    replay(line);
                }
            }
            compact();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the attempt log " + file, e);
        }
    }

    /** Lines that do not parse (a write cut short by the crash) are skipped: at worst one count is lost. */
    private void replay(String line) {
        String[] parts = line.split(" ");
        if (parts.length != 4 || !(parts[0].equals("+") || parts[0].equals("-"))) {
            return;
        }
        try {
            ImageRef image = new ImageRef(parts[1], Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
            if (parts[0].equals("+")) {
                counts.merge(image, 1, Integer::sum);
            } else {
                counts.remove(image);
            }
        } catch (NumberFormatException e) {
            // a torn line
        }
    }

    @Override
    public synchronized int attempts(ImageRef image) {
        return counts.getOrDefault(image, 0);
    }

    @Override
    public synchronized void starting(List<ImageRef> images) {
        StringBuilder text = new StringBuilder();
        for (ImageRef image : images) {
            counts.merge(image, 1, Integer::sum);
            text.append(line('+', image));
        }
        append(text.toString(), images.size(), true);
    }

    @Override
    public synchronized void finished(ImageRef image) {
        if (counts.remove(image) != null) {
            append(line('-', image), 1, false);
        }
    }

    private static String line(char sign, ImageRef image) {
        return sign + " " + image.topic() + " " + image.partition() + " " + image.offset() + "\n";
    }

    private void append(String text, int lineCount, boolean force) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (force) {
                channel.force(false);
            }
            lines += lineCount;
            if (lines >= COMPACT_AFTER_LINES) {
                compact();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the attempt log " + file, e);
        }
    }

    /** Rewrites the file with one {@code +} line per remaining count, atomically. */
    private void compact() throws IOException {
        if (channel != null) {
            channel.close();
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((image, n) -> text.append(line('+', image).repeat(n)));
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        lines = counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
