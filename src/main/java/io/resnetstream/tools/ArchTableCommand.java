package io.resnetstream.tools;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import io.resnetstream.resnet.ResNetSession;
import io.resnetstream.resnet.ResNetSpec;
import io.resnetstream.resnet.ResNetWeights;

/** Prints the paper's architectures with layer, parameter and multiply-add counts, with --measure their speed. */
@Command(
        name = "arch-table",
        mixinStandardHelpOptions = true,
        description = "Layers, parameters and multiply-adds of the paper's ResNets next to the paper's figures; "
                + "with --measure also images/s of each network built in memory on this machine.")
public class ArchTableCommand implements Callable<Integer> {

    /** Table 1 (ImageNet, ×10⁹ multiply-adds at 224²). */
    private static final Map<String, Double> PAPER_GIGA_MULTIPLY_ADDS = Map.of(
            "plain18",
            1.8,
            "plain34",
            3.6,
            "resnet18",
            1.8,
            "resnet34",
            3.6,
            "resnet50",
            3.8,
            "resnet101",
            7.6,
            "resnet152",
            11.3);

    /** §4.2 and Table 6 (CIFAR-10, millions of parameters). */
    private static final Map<String, Double> PAPER_MILLION_PARAMETERS = Map.of(
            "resnet20", 0.27, "resnet32", 0.46, "resnet44", 0.66, "resnet56", 0.85, "resnet110", 1.7, "resnet50", 25.6);

    @Spec
    CommandSpec spec;

    @Option(names = "--archs", split = ",", description = "Architectures to list (default: all of the paper's).")
    List<String> architectures = ResNetSpec.PAPER_ARCHITECTURES;

    @Option(names = "--measure", description = "Measure images/s at each batch size (slow for the deep ones).")
    boolean measure;

    @Option(
            names = "--batches",
            split = ",",
            defaultValue = "1,16",
            description = "Batch sizes for --measure (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(
            names = "--seconds",
            defaultValue = "3",
            description = "Measured seconds per batch size, after warm-up (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Override
    public Integer call() {
        PrintWriter printer = spec.commandLine().getOut();
        StringBuilder header = new StringBuilder(String.format(
                Locale.ROOT,
                "%-10s %6s %7s %12s %9s %10s %10s",
                "arch",
                "layers",
                "input",
                "params",
                "paper M",
                "mult-add G",
                "paper G"));
        if (measure) {
            for (int batch : batches) {
                header.append(String.format(Locale.ROOT, " %11s", "img/s b" + batch));
            }
        }
        printer.println(header);
        for (String architecture : architectures) {
            ResNetSpec network = network(architecture);
            String key = network.name();
            int side = network.defaultInputSize();
            printer.printf(
                    Locale.ROOT,
                    "%-10s %6d %7s %,12d %9s %10.3f %10s",
                    key,
                    network.layers(),
                    side + "²",
                    network.parameterCount(),
                    figure(PAPER_MILLION_PARAMETERS.get(key)),
                    network.multiplyAdds(side) / 1e9,
                    figure(PAPER_GIGA_MULTIPLY_ADDS.get(key)));
            printer.flush();
            if (measure) {
                try (ResNetSession session =
                        ResNetSession.build(network, ResNetWeights.initialize(network, 42), side)) {
                    for (int batch : batches) {
                        double rate = ThroughputMeter.imagesPerSecond(session::classify, side, batch, seconds);
                        printer.printf(Locale.ROOT, " %11.1f", rate);
                        printer.flush();
                    }
                }
            }
            printer.println();
            printer.flush();
        }
        return 0;
    }

    private ResNetSpec network(String architecture) {
        try {
            return ResNetSpec.named(architecture);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static String figure(Double value) {
        return value == null ? "-" : String.valueOf(value);
    }
}
