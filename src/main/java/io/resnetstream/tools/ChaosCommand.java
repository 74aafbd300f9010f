package io.resnetstream.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.resnetstream.topology.DurationWithUnitConverter;
import io.resnetstream.topology.ResnetConfig;

/** {@code bin/resnet-stream chaos}: the kill loop of {@link Chaos} from the command line, with its report. */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        description = {
            "Kill the packaged service with SIGKILL at random moments while it works through fresh "
                    + "topics (and restart the broker once, if asked), then check that every image has exactly one "
                    + "committed outcome. Needs the stack and target/quarkus-app (mvn -o -B -DskipTests package).",
            "Exit code 0 when nothing was lost or duplicated."
        })
public final class ChaosCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--images", defaultValue = "1000", description = "Images to classify (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--kills", defaultValue = "5", description = "SIGKILLs (default: ${DEFAULT-VALUE})")
    int kills;

    @Option(
            names = "--min-gap",
            defaultValue = "10s",
            converter = DurationOption.class,
            description = "Shortest wait before a kill (default: ${DEFAULT-VALUE})")
    Duration minGap;

    @Option(
            names = "--max-gap",
            defaultValue = "20s",
            converter = DurationOption.class,
            description = "Longest wait before a kill (default: ${DEFAULT-VALUE})")
    Duration maxGap;

    @Option(
            names = "--gap-from",
            defaultValue = "START",
            description = "Measure each wait from the service's START "
                    + "(a fixed rhythm: a slow recovery is killed again before it outputs anything) or from its "
                    + "FIRST_OUTCOME after the start (progress between kills guaranteed) (default: ${DEFAULT-VALUE})")
    Chaos.GapFrom gapFrom;

    @Option(
            names = "--broker-restart",
            description = "Also restart the broker once, at a random place among the "
                    + "kills, with '<stack-script> restart kafka': point --bootstrap at the stack that script runs "
                    + "(RESNET_STACK_DIR, RESNET_KAFKA_PORT...), never at one that others are using")
    boolean brokerRestart;

    @Option(
            names = "--stack-script",
            defaultValue = "deploy/stack.sh",
            description = "Restarts the broker for --broker-restart (default: ${DEFAULT-VALUE})")
    Path stackScript;

    @Option(
            names = "--seed",
            description = "Seeds the images, the gaps and the broker restart's place " + "(default: random, printed)")
    Long seed;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description = "Images sent per second; 0 sends them all at once " + "(default: ${DEFAULT-VALUE})")
    double rate;

    @Option(
            names = "--no-progress",
            defaultValue = "180s",
            converter = DurationOption.class,
            description =
                    "Give up after this long without a new outcome while work remains (default: ${DEFAULT-VALUE})")
    Duration noProgress;

    /** The stack under test; the run makes topics of its own, so the service's topic options do not apply. */
    @Mixin
    BrokerOptions broker;

    @Option(
            names = "--model",
            defaultValue = ResnetConfig.Model.DEFAULT_DIR,
            description = "The service's model (default: ${DEFAULT-VALUE})")
    Path model;

    @Option(
            names = "--app",
            defaultValue = "target/quarkus-app",
            description = "The packaged service (default: ${DEFAULT-VALUE})")
    Path app;

    @Option(
            names = "--work-dir",
            defaultValue = "target/chaos",
            description = "State directories and logs (default: ${DEFAULT-VALUE})")
    Path workDir;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "A service setting, e.g. " + "--set resnet.batch.max-images=32 (repeatable)")
    Map<String, String> settings = new HashMap<>();

    /**
     * Held, so that the level sticks (the log manager keeps loggers weakly). The runner's own clients warn at every
     * reconnect while the broker restarts: expected, and it would bury the report.
     */
    private static final Logger KAFKA_CLIENTS = Logger.getLogger("org.apache.kafka");

    @Override
    public Integer call() throws Exception {
        KAFKA_CLIENTS.setLevel(Level.SEVERE);
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1_000_000);
        Chaos.Plan plan = new Chaos.Plan(images, kills, minGap, maxGap, gapFrom, brokerRestart, s, rate);
        Path work = workDir.toAbsolutePath();
        Chaos.Setup setup = new Chaos.Setup(
                broker.clientConfig(),
                app.toAbsolutePath(),
                model.toAbsolutePath(),
                work,
                settings,
                () -> restartBroker(work.resolve("stack-restart.log")),
                noProgress);
        Chaos chaos = new Chaos(plan, setup);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("chaos run %s (seed %d); service log %s%n", chaos.runId(), s, chaos.log());
        out.flush();
        ChaosReport report = chaos.execute();
        report.print(out);
        return report.exactlyOnce() ? 0 : 1;
    }

    /** {@code <stack-script> restart kafka}, its output to a log; fails the run when the script fails. */
    private void restartBroker(Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(List.of(stackScript.toString(), "restart", "kafka"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(stackScript + " restart kafka failed; see " + log);
        }
    }

    /** Durations as the service spells them: 500ms, 10s, 2m. */
    static final class DurationOption implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return new DurationWithUnitConverter().convert(value);
        }
    }
}
