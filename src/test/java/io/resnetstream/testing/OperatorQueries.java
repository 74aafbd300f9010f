package io.resnetstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The PromQL that operators see: every query of the Grafana dashboard ({@code deploy/grafana}) and every alert
 * expression ({@code deploy/prometheus}), each with the metric names it reads, so that tests can check each name
 * against what the service really exposes on {@code /q/metrics}.
 */
public final class OperatorQueries {
    public static final Path DASHBOARD = Path.of("deploy", "grafana", "resnet-stream-dashboard.json");
    public static final Path ALERTS = Path.of("deploy", "prometheus", "resnet-stream-alerts.yml");

    /** Series Prometheus makes itself (not scraped): {@code up} is 0 when a scrape fails. */
    public static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");

    /** One query: where it is (panel or alert), its expression and the metric names it reads. */
    public record Query(String where, String expr, Set<String> metrics) {}

    private OperatorQueries() {}

    /** The dashboard's panel queries and template-variable queries, then the alert expressions. */
    public static List<Query> all() {
        List<Query> queries = new ArrayList<>(dashboard());
        queries.addAll(alerts());
        return queries;
    }

    public static List<Query> dashboard() {
        JsonNode dashboard = read(DASHBOARD, new ObjectMapper());
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                queries.add(new Query(
                        "panel '" + panel.path("title").asText() + "' "
                                + target.path("refId").asText(),
                        expr,
                        PromQl.metricNames(expr)));
            }
        }
        Pattern labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,.*\\)");
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String query = variable.path("query").path("query").asText("");
            Matcher m = labelValues.matcher(query);
            if (m.matches()) { // a Grafana function around a metric name, not PromQL
                queries.add(new Query("variable " + variable.path("name").asText(), query, Set.of(m.group(1))));
            }
        }
        return queries;
    }

    public static List<Query> alerts() {
        JsonNode rules = read(ALERTS, new ObjectMapper(new YAMLFactory()));
        List<Query> queries = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String expr = rule.path("expr").asText();
                queries.add(new Query("alert " + rule.path("alert").asText(), expr, PromQl.metricNames(expr)));
            }
        }
        return queries;
    }

    /** The sample names of a Prometheus text exposition ({@code name{labels} value}), comments left out. */
    public static Set<String> sampleNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    private static JsonNode read(Path file, ObjectMapper mapper) {
        try {
            return mapper.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Just enough of a PromQL lexer to find the metric names of an expression: an identifier that is not a function
     * or aggregation (followed by "("), not a keyword, not a label inside {@code {...}} or a grouping list
     * ({@code by (...)}, {@code on (...)}), not inside a range or subquery {@code [...]}, a string or a number. It
     * refuses what it cannot read: unbalanced brackets, characters PromQL does not have.
     */
    public static final class PromQl {
        private static final Set<String> KEYWORDS = Set.of(
                "and",
                "or",
                "unless",
                "bool",
                "offset",
                "by",
                "without",
                "on",
                "ignoring",
                "group_left",
                "group_right",
                "inf",
                "nan",
                "atan2");
        /** Aggregation operators: followed by "(" or by a grouping clause ({@code sum by (le) (...)}). */
        private static final Set<String> AGGREGATIONS = Set.of(
                "sum",
                "min",
                "max",
                "avg",
                "group",
                "stddev",
                "stdvar",
                "count",
                "count_values",
                "bottomk",
                "topk",
                "quantile",
                "limitk",
                "limit_ratio");

        private static final Set<String> GROUPING =
                Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

        private PromQl() {}

        public static Set<String> metricNames(String expr) {
            Set<String> names = new LinkedHashSet<>();
            List<Character> open = new ArrayList<>();
            int i = 0;
            int n = expr.length();
            while (i < n) {
                char c = expr.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '"' || c == '\'' || c == '`') {
                    i = skipString(expr, i);
                } else if (c == '{') {
                    i = skipTo(expr, i, '}');
                } else if (c == '[') {
                    i = skipTo(expr, i, ']');
                } else if (c == '(') {
                    open.add(c);
                    i++;
                } else if (c == ')') {
                    if (open.isEmpty()) {
                        throw new IllegalArgumentException("unbalanced ')' at " + i + " in: " + expr);
                    }
                    open.remove(open.size() - 1);
                    i++;
                } else if (Character.isDigit(c) || c == '.') {
                    while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
                        i++; // 0.95, 1e3, 15m, 0x1f
                    }
                } else if (c == '$') { // a Grafana variable ($job, $__rate_interval)
                    i++;
                    while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '_')) {
                        i++;
                    }
                } else if (Character.isLetter(c) || c == '_' || c == ':') {
                    int start = i;
                    while (i < n
                            && (Character.isLetterOrDigit(expr.charAt(i))
                                    || expr.charAt(i) == '_'
                                    || expr.charAt(i) == ':')) {
                        i++;
                    }
                    String word = expr.substring(start, i);
                    int next = skipSpace(expr, i);
                    boolean call = next < n && expr.charAt(next) == '(';
                    if (GROUPING.contains(word) && call) {
                        i = skipTo(expr, next, ')'); // a list of labels
                    } else if (!call
                            && !AGGREGATIONS.contains(word)
                            && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                        names.add(word);
                    }
                } else if ("+-*/%^=!<>,".indexOf(c) >= 0) {
                    i++;
                } else {
                    throw new IllegalArgumentException("unexpected '" + c + "' at " + i + " in: " + expr);
                }
            }
            if (!open.isEmpty()) {
                throw new IllegalArgumentException("unbalanced '(' in: " + expr);
            }
            return names;
        }

        private static int skipSpace(String s, int i) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i;
        }

        private static int skipString(String s, int i) {
            char quote = s.charAt(i);
            for (int j = i + 1; j < s.length(); j++) {
                if (s.charAt(j) == '\\' && quote != '`') {
                    j++;
                } else if (s.charAt(j) == quote) {
                    return j + 1;
                }
            }
            throw new IllegalArgumentException("unterminated string at " + i + " in: " + s);
        }

        /** Past the bracket that closes the one at {@code i}, strings inside skipped. */
        private static int skipTo(String s, int i, char close) {
            for (int j = i + 1; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c == '"' || c == '\'' || c == '`') {
                    j = skipString(s, j) - 1;
                } else if (c == close) {
                    return j + 1;
                }
            }
            throw new IllegalArgumentException("unbalanced '" + s.charAt(i) + "' at " + i + " in: " + s);
        }
    }

    /** Every name of {@code queries} that the exposition lacks, with where it is used. */
    public static List<String> missing(List<Query> queries, Set<String> exposed) {
        List<String> missing = new ArrayList<>();
        for (Query q : queries) {
            for (Iterator<String> it = q.metrics().iterator(); it.hasNext(); ) {
                String name = it.next();
                if (!exposed.contains(name) && !MADE_BY_PROMETHEUS.contains(name)) {
                    missing.add(name + " (" + q.where() + ")");
                }
            }
        }
        return missing;
    }
}
