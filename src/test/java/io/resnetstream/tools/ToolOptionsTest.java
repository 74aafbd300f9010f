package io.resnetstream.tools;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared option groups reach the commands that use them, and only those. */
class ToolOptionsTest {

    @Test
    void commandsOnTheServicesTopicsTakeTheBrokerAndTheTopics() {
        CommandLine tail = new CommandLine(new TailCommand());
        assertThat(tail.getCommandSpec().findOption("--bootstrap")).isNotNull();
        assertThat(tail.getCommandSpec().findOption("--registry")).isNotNull();
        assertThat(tail.getCommandSpec().findOption("--images-topic")).isNotNull();
    }

    @Test
    void chaosTakesTheBrokerButMakesItsOwnTopics() {
        CommandLine chaos = new CommandLine(new ChaosCommand());
        assertThat(chaos.getCommandSpec().findOption("--bootstrap")).isNotNull();
        assertThat(chaos.getCommandSpec().findOption("--registry")).isNotNull();
        assertThat(chaos.getCommandSpec().findOption("--images-topic")).isNull();
    }

    @Test
    void everyCommandThatTalksToTheBrokerTakesAClientConfiguration() {
        for (Object command : new Object[] {
            new TailCommand(),
            new ProduceCommand(),
            new BenchCommand(),
            new EvaluateCommand(),
            new ChaosCommand(),
            new BackfillCommand(),
            new ReprocessCommand(),
            new CompareCommand()
        }) {
            CommandLine cli = new CommandLine(command);
            assertThat(cli.getCommandSpec().findOption("--client-config"))
                    .as("%s --client-config", cli.getCommandName())
                    .isNotNull();
            assertThat(cli.getCommandSpec().findOption("-X"))
                    .as("%s -X", cli.getCommandName())
                    .isNotNull();
        }
    }

    @Test
    void reprocessReadsTimestampsAndSettings() {
        ReprocessCommand reprocess = new ReprocessCommand();
        new CommandLine(reprocess)
                .parseArgs(
                        "--model", "models/x",
                        "--application-id", "re-1",
                        "--from-timestamp", "2026-11-30T00:00:00Z",
                        "--to-offset", "30",
                        "--set", "resnet.batch.max-images=32",
                        "--timeout", "90s");
        assertThat(reprocess.fromTimestamp).isEqualTo(java.time.Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(reprocess.toOffset).isEqualTo(30L);
        assertThat(reprocess.settings).containsEntry("resnet.batch.max-images", "32");
        assertThat(reprocess.timeout).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(new CommandLine(reprocess).getCommandSpec().findOption("--predictions-topic"))
                .isNotNull();
    }

    @Test
    void backfillTakesTheServicesTopicsAndItsOwnOptions() {
        BackfillCommand backfill = new BackfillCommand();
        new CommandLine(backfill)
                .parseArgs("/data/images", "--inline", "--id-from", "content", "--max-rate", "12.5", "--resume");
        assertThat(backfill.source).isEqualTo("/data/images");
        assertThat(backfill.inline).isTrue();
        assertThat(backfill.maxRate).isEqualTo(12.5);
        assertThat(backfill.resume).isTrue();
        assertThat(backfill.timeout).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(new CommandLine(backfill).getCommandSpec().findOption("--dead-letters-topic"))
                .isNotNull();
    }
}
