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
            new TailCommand(), new ProduceCommand(), new BenchCommand(), new EvaluateCommand(), new ChaosCommand()
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
}
