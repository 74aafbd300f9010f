package io.resnetstream.tools;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.resnetstream.contracts.ClassScore;
import io.resnetstream.contracts.DeadLetter;
import io.resnetstream.contracts.Prediction;

/**
 * A backfill's results: one row per image, written as its outcome arrives, to {@code <base>.csv} and
 * {@code <base>.jsonl} (the same rows). A resumed backfill appends to them. Rows are flushed at least once a poll,
 * so an interrupted run leaves what it had seen.
 */
final class BackfillResults implements AutoCloseable {
    static final String[] COLUMNS = {
        "id",
        "source",
        "outcome",
        "label",
        "probability",
        "crops_agreeing",
        "crops_averaged",
        "model_name",
        "model_version",
        "reason",
        "message"
    };

    /** What happened to one image. */
    enum Outcome {
        PREDICTION,
        DEAD_LETTER,
        /** Refused by the backfill itself before sending (unreadable, too large, id too long). */
        NOT_SENT
    }

    record Row(
            String id,
            String source,
            Outcome outcome,
            String label,
            Float probability,
            Integer cropsAgreeing,
            Integer cropsAveraged,
            String modelName,
            String modelVersion,
            String reason,
            String message) {

        static Row of(String id, String source, Prediction p) {
            ClassScore top = p.getTopK().get(0);
            return new Row(
                    id,
                    source,
                    Outcome.PREDICTION,
                    top.getLabel(),
                    top.getProbability(),
                    p.getTopCropVotes(),
                    p.getCropsAveraged(),
                    p.getModel().getName(),
                    p.getModel().getVersion(),
                    null,
                    null);
        }

        static Row of(String id, String source, DeadLetter d) {
            return new Row(
                    id, source, Outcome.DEAD_LETTER, null, null, null, null, null, null, d.getReason(), d.getMessage());
        }

        static Row notSent(String id, String source, String reason, String message) {
            return new Row(id, source, Outcome.NOT_SENT, null, null, null, null, null, null, reason, message);
        }

        Object[] values() {
            return new Object[] {
                id,
                source,
                outcome,
                label,
                probability,
                cropsAgreeing,
                cropsAveraged,
                modelName,
                modelVersion,
                reason,
                message
            };
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path csv;
    private final Path jsonl;
    private final BufferedWriter csvOut;
    private final BufferedWriter jsonOut;

    /** Opens {@code base.csv} and {@code base.jsonl}: appended to when {@code append}, else started afresh. */
    BackfillResults(Path base, boolean append) throws IOException {
        this.csv = csvOf(base);
        this.jsonl = jsonlOf(base);
        Path parent = csv.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        boolean header = !append || !Files.exists(csv) || Files.size(csv) == 0;
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        this.csvOut = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.CREATE, mode);
        this.jsonOut = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8, StandardOpenOption.CREATE, mode);
        if (header) {
            csvOut.write(String.join(",", COLUMNS));
            csvOut.newLine();
        }
    }

    static Path csvOf(Path base) {
        return base.resolveSibling(base.getFileName() + ".csv");
    }

    static Path jsonlOf(Path base) {
        return base.resolveSibling(base.getFileName() + ".jsonl");
    }

    synchronized void write(Row row) {
        try {
            Object[] values = row.values();
            StringBuilder line = new StringBuilder();
            Map<String, Object> json = new LinkedHashMap<>();
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    line.append(',');
                }
                line.append(csvField(values[i]));
                if (values[i] != null) {
                    json.put(COLUMNS[i], values[i] instanceof Enum<?> e ? e.name() : values[i]);
                }
            }
            csvOut.write(line.toString());
            csvOut.newLine();
            jsonOut.write(JSON.writeValueAsString(json));
            jsonOut.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void flush() {
        try {
            csvOut.flush();
            jsonOut.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        csvOut.close();
        jsonOut.close();
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String csvField(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Reads the rows of {@code base.jsonl} one at a time (a results file of millions of rows is never held). */
    static void forEachRow(Path base, Consumer<JsonNode> action) throws IOException {
        Path file = jsonlOf(base);
        if (!Files.exists(file)) {
            return;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    action.accept(JSON.readTree(line));
                }
            }
        }
    }

    /** The summary of a whole results file (every run that appended to it): counts by outcome, label, reason. */
    record Summary(
            long rows,
            long distinctIds,
            Map<String, Long> byOutcome,
            Map<String, Long> byLabel,
            Map<String, Long> byReason,
            Map<String, Long> byModel) {

        static Summary of(Path base) throws IOException {
            long[] rows = {0};
            IdSet ids = new IdSet();
            Map<String, Long> byOutcome = new TreeMap<>();
            Map<String, Long> byLabel = new TreeMap<>();
            Map<String, Long> byReason = new TreeMap<>();
            Map<String, Long> byModel = new TreeMap<>();
            forEachRow(base, row -> {
                rows[0]++;
                ids.add(row.path("id").asText());
                byOutcome.merge(row.path("outcome").asText(), 1L, Long::sum);
                if (row.hasNonNull("label")) {
                    byLabel.merge(row.get("label").asText(), 1L, Long::sum);
                    byModel.merge(
                            row.path("model_name").asText() + " "
                                    + row.path("model_version").asText(),
                            1L,
                            Long::sum);
                }
                if (row.hasNonNull("reason")) {
                    byReason.merge(row.get("reason").asText(), 1L, Long::sum);
                }
            });
            return new Summary(rows[0], ids.size(), byOutcome, byLabel, byReason, byModel);
        }

        String describe() {
            return String.format(
                    "results: %d row(s), %d distinct id(s)%n  by outcome: %s%n  by top-1 label: %s%n"
                            + "  by dead-letter / not-sent reason: %s%n  by model: %s",
                    rows, distinctIds, byOutcome, byLabel, byReason, byModel);
        }
    }
}
