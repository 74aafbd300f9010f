package io.resnetstream.it;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.resnetstream.testing.LocalStack;
import io.resnetstream.tools.Chaos;
import io.resnetstream.tools.ChaosReport;
import io.resnetstream.topology.ResnetConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill loop of {@code bin/resnet-stream chaos}, sized for CI: 500 images, the service killed with SIGKILL three
 * times, each a random 0.5–3 s after the restarted service's first new outcome (so there is progress between
 * kills), on the shared stack with fresh topics and application id. The seed is random and printed; pass
 * {@code -Dit.chaos.seed=N} to replay a run.
 */
class ChaosIT {
    private static final String MODEL = System.getProperty("it.model.dir", ResnetConfig.Model.DEFAULT_DIR);
    /**
     * Measured on a 2-core machine: 9–11 s from a restarted process's start to its first new outcome, most of it
     * the dead member's session timeout (10 s). The bound leaves room for a loaded CI machine while still failing
     * the ~70 s recovery that a non-fencing restart used to take.
     */
    static final Duration RESTART_BOUND = Duration.ofSeconds(25);

    static final Duration SIGTERM_BOUND = Duration.ofSeconds(20);

    @Test
    void aServiceKilledThreeTimesLosesNothingAndDuplicatesNothing() throws Exception {
        long seed = Long.getLong("it.chaos.seed", ThreadLocalRandom.current().nextLong(1_000_000));
        // 6 images/s: the input lasts ~85 s, longer than three restarts, so every kill lands while work remains.
        Chaos.Plan plan = new Chaos.Plan(
                500, 3, Duration.ofMillis(500), Duration.ofSeconds(3), Chaos.GapFrom.FIRST_OUTCOME, false, seed, 6);
        Chaos.Setup setup = new Chaos.Setup(
                LocalStack.BOOTSTRAP,
                LocalStack.REGISTRY_URL,
                StackClients.APP,
                Path.of(MODEL).toAbsolutePath(),
                Path.of("target", "it-chaos").toAbsolutePath(),
                Map.of(),
                () -> {
                    throw new AssertionError("no broker restart in this test");
                },
                Duration.ofMinutes(2));

        ChaosReport report = new Chaos(plan, setup).execute();
        report.print(new PrintWriter(System.out, true));

        assertThat(report.kills()).as("kills").isEqualTo(3);
        assertThat(report.sendFailures()).as("images not sent").isZero();
        assertThat(report.drained()).as("outputs read to their end").isTrue();
        assertThat(report.tally().missing()).as("ids without an outcome").isEmpty();
        assertThat(report.tally().duplicates())
                .as("ids with more than one outcome")
                .isEmpty();
        assertThat(report.tally().unexpected())
                .as("outcomes for ids never sent")
                .isEmpty();
        assertThat(report.events())
                .as("the service never exited by itself")
                .noneMatch(e -> e.kind() == ChaosReport.Kind.EXIT);
        assertThat(report.restarts()).hasSize(3).allSatisfy(restart -> assertThat(restart.toFirstOutcome())
                .as("%s: start to first new outcome", restart.what())
                .isNotNull()
                .isLessThanOrEqualTo(RESTART_BOUND));
        assertThat(report.sigtermToExit()).as("SIGTERM to exit").isLessThanOrEqualTo(SIGTERM_BOUND);
    }
}
