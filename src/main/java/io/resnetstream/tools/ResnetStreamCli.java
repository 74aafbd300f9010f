package io.resnetstream.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The project's tools: everything but the service itself (which is the Quarkus application,
 * {@code java -jar target/quarkus-app/quarkus-run.jar}). Run through {@code bin/resnet-stream}.
 */
@Command(
        name = "resnet-stream",
        mixinStandardHelpOptions = true,
        description = "Tools around the resnet-stream pipeline: models, sample input, output, benchmarks, chaos.",
        subcommands = {
            ProduceCommand.class,
            TailCommand.class,
            BenchCommand.class,
            EvaluateCommand.class,
            ModelBuildCommand.class,
            ArchTableCommand.class,
            TrainCommand.class,
            ChaosCommand.class,
            CompareCommand.class
        })
public final class ResnetStreamCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new ResnetStreamCli()).execute(args));
    }
}
