package io.resnetstream.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How often two models name the same top-1 class for the same images, and where they differ: a confusion table of
 * the main model's labels (rows) against the candidate's (columns).
 */
final class Agreement {
    private final Map<String, Map<String, Long>> table = new TreeMap<>();
    private long images;
    private long agreeing;

    void add(String mainLabel, String candidateLabel) {
        images++;
        if (mainLabel.equals(candidateLabel)) {
            agreeing++;
        }
        table.computeIfAbsent(mainLabel, k -> new TreeMap<>()).merge(candidateLabel, 1L, Long::sum);
    }

    long images() {
        return images;
    }

    long agreeing() {
        return agreeing;
    }

    /** The share of images both models gave the same top-1 label; 0 with no images. */
    double rate() {
        return images == 0 ? 0 : (double) agreeing / images;
    }

    long count(String mainLabel, String candidateLabel) {
        return table.getOrDefault(mainLabel, Map.of()).getOrDefault(candidateLabel, 0L);
    }

    /** The confusion table as text: one row per main label, its agreement, then one column per candidate label. */
    List<String> render() {
        TreeSet<String> columns = new TreeSet<>();
        table.values().forEach(row -> columns.addAll(row.keySet()));
        int width = Math.max(8, columns.stream().mapToInt(String::length).max().orElse(0) + 1);
        int first = Math.max(
                12, table.keySet().stream().mapToInt(String::length).max().orElse(0) + 1);
        List<String> lines = new ArrayList<>();
        StringBuilder header = new StringBuilder(String.format("%-" + first + "s %8s", "main \\ candidate", "agree"));
        columns.forEach(c -> header.append(String.format(" %" + width + "s", c)));
        lines.add(header.toString());
        table.forEach((label, row) -> {
            long total = row.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder line = new StringBuilder(
                    String.format("%-" + first + "s %7.1f%%", label, 100.0 * row.getOrDefault(label, 0L) / total));
            columns.forEach(c -> line.append(String.format(" %" + width + "d", row.getOrDefault(c, 0L))));
            lines.add(line.toString());
        });
        return lines;
    }
}
