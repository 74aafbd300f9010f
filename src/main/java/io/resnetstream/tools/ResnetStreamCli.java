package io.resnetstream.tools;

import java.util.logging.Level;
import java.util.logging.Logger;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The project's tools: everything but the service itself (which is the Quarkus application,
 * {@code java -jar target/quarkus-app/quarkus-run.jar}). Run through {@code bin/resnet-stream}.
 */
@Command(
        name = "resnet-stream",
        mixinStandardHelpOptions = true,
        description =
                "Tools around the resnet-stream pipeline: models, sample input, backfills, reprocessing, output, benchmarks, chaos.",
        subcommands = {
            ProduceCommand.class,
            BackfillCommand.class,
            ReprocessCommand.class,
            TailCommand.class,
            BenchCommand.class,
            EvaluateCommand.class,
            ModelBuildCommand.class,
            ArchTableCommand.class,
            TrainCommand.class,
            ChaosCommand.class,
            CompareCommand.class,
            WrapCommand.class
        })
public final class ResnetStreamCli {
    /**
     * Kafka's clients at WARN, as application.properties sets them for the service: without a level the tools' log
     * manager reports TRACE as enabled, and Kafka then formats every trace message it would drop (16% of the
     * end-to-end bench's allocation under JFR). Held, so that the level sticks (loggers are kept weakly).
     */
    private static final Logger KAFKA = Logger.getLogger("org.apache.kafka");

    public static void main(String[] args) {
        KAFKA.setLevel(Level.WARNING);
        System.exit(new CommandLine(new ResnetStreamCli()).execute(args));
    }
}
