package io.resnetstream.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a chaos run saw: the verifier's counts ({@link Tally}), every start of the service and the
 * broker restart with the time to the first new outcome after it, and the SIGTERM-to-exit time.
 *
 * @param sendFailures images the producer could not send (the counts then cover fewer than planned)
 * @param drained whether the reader caught up with the end of the output topics after the service stopped, so
 *     that nothing committed (no duplicate) was left unread
 */
public record ChaosReport(
        String run,
        Chaos.Plan plan,
        Tally tally,
        int sendFailures,
        int kills,
        List<Event> events,
        Duration sigtermToExit,
        boolean drained,
        Duration elapsed,
        Path log) {

    public enum Kind {
        /** the first start */
        START,
        /** a start right after a SIGKILL */
        KILL,
        /** a start after the service exited by itself */
        EXIT,
        /** the broker came back (the service kept running) */
        BROKER
    }

    /**
     * The verifier's figures. Ids are sorted.
     *
     * @param outcomes committed outcomes read, duplicates included
     * @param deadLettered the ids among them that became dead letters
     * @param missing produced ids without an outcome
     * @param duplicates ids with more than one committed outcome
     * @param unexpected outcomes for ids that were never produced
     * @param longestStall the longest time without a new outcome while work remained
     */
    public record Tally(
            int produced,
            int outcomes,
            int deadLetters,
            Map<String, Integer> deadLetterReasons,
            List<String> deadLettered,
            List<String> missing,
            List<String> duplicates,
            List<String> unexpected,
            Duration longestStall) {}

    /**
     * @param at since the run began
     * @param took how long the action itself took (the broker restart), zero for a start
     * @param toFirstOutcome from the event to the first new outcome, null when none came before the next event
     */
    public record Event(Kind kind, String what, Duration at, Duration took, Duration toFirstOutcome) {}

    /** Nothing lost, nothing twice, nothing unknown, everything sent and read to the end. */
    public boolean exactlyOnce() {
        return tally.missing().isEmpty()
                && tally.duplicates().isEmpty()
                && tally.unexpected().isEmpty()
                && sendFailures == 0
                && drained;
    }

    /** The events after which the service had to start from a dead predecessor (SIGKILL or an exit). */
    public List<Event> restarts() {
        return events.stream()
                .filter(e -> e.kind() == Kind.KILL || e.kind() == Kind.EXIT)
                .toList();
    }

    public Optional<Event> brokerRestart() {
        return events.stream().filter(e -> e.kind() == Kind.BROKER).findFirst();
    }

    public void print(PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "chaos run %s: %d images, %d of %d SIGKILLs, gaps %s-%s from each %s%s, seed %d%n",
                run,
                plan.images(),
                kills,
                plan.kills(),
                seconds(plan.minGap()),
                seconds(plan.maxGap()),
                plan.gapFrom() == Chaos.GapFrom.START ? "start" : "first new outcome",
                plan.brokerRestart() ? ", one broker restart" : "",
                plan.seed());
        row(out, "produced", tally.produced() + (sendFailures > 0 ? " (" + sendFailures + " failed to send)" : ""));
        row(
                out,
                "outcomes",
                tally.outcomes() + " committed (" + (tally.outcomes() - tally.deadLetters()) + " predictions, "
                        + tally.deadLetters() + " dead letters" + reasons() + ")");
        row(out, "missing", count(tally.missing()));
        row(out, "duplicates", count(tally.duplicates()));
        if (!tally.unexpected().isEmpty()) {
            row(out, "unexpected ids", count(tally.unexpected()));
        }
        row(out, "longest stall", seconds(tally.longestStall()) + " without a new outcome while work remained");
        for (Event e : events) {
            String took = e.took().isZero() ? "" : " (took " + seconds(e.took()) + ")";
            String first = e.toFirstOutcome() == null
                    ? "no new outcome before the next event"
                    : "first new outcome after " + seconds(e.toFirstOutcome());
            row(
                    out,
                    String.format(Locale.ROOT, "+%7s", seconds(e.at())),
                    String.format(Locale.ROOT, "%-46s %s", e.what() + took, first));
        }
        row(out, "SIGTERM to exit", seconds(sigtermToExit));
        row(out, "read to the end", drained ? "yes" : "NO: the outputs could not be read to their end");
        row(out, "elapsed", seconds(elapsed) + "; service log " + log);
        row(out, "verdict", exactlyOnce() ? "exactly once" : "NOT exactly once");
        out.flush();
    }

    private String reasons() {
        return tally.deadLetterReasons().isEmpty()
                ? ""
                : ": " + tally.deadLetterReasons() + " " + sample(tally.deadLettered());
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf(Locale.ROOT, "  %-16s %s%n", name, value);
    }

    private static String count(List<String> ids) {
        return ids.size() + (ids.isEmpty() ? "" : " " + sample(ids));
    }

    /** The first ten ids, to look up in the service log. */
    private static String sample(List<String> ids) {
        return ids.subList(0, Math.min(10, ids.size())) + (ids.size() > 10 ? " ..." : "");
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
