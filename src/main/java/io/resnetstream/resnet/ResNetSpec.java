package io.resnetstream.resnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Architecture of one of the paper's networks (He et al. 2015, Table 1 and §4.2): stem, block type, blocks and
 * widths per stage, shortcut option, class count. Layer, parameter and multiply-add counts follow from it.
 *
 * <p>A bottleneck block that halves the size carries its stride on the first 1×1 convolution (and on the
 * projection), as the paper's Caffe models and Keras' {@code ResNet50} do. The torchvision "v1.5" layout, stride on
 * the 3×3, costs 4.1 instead of 3.86 ×10⁹ multiply-adds for ResNet-50: 8% off Table 1.
 *
 * @param name             e.g. resnet50
 * @param stem             ImageNet (7×7/2 conv, 3×3/2 max pool) or CIFAR (3×3 conv)
 * @param blockType        basic (two 3×3) or bottleneck (1×1, 3×3, 1×1 ×4)
 * @param blocksPerStage   blocks in each stage
 * @param stageWidths      filters of each stage's 3×3 convolutions
 * @param shortcut         shortcut option; {@link ShortcutOption#NONE} for plain networks
 * @param classes          width of the final fully connected layer
 * @param defaultInputSize side of the input the paper uses (224 or 32)
 */
public record ResNetSpec(
        String name,
        Stem stem,
        BlockType blockType,
        List<Integer> blocksPerStage,
        List<Integer> stageWidths,
        ShortcutOption shortcut,
        int classes,
        int defaultInputSize) {

    /** The layers before the first stage. */
    public enum Stem {
        /** conv1 7×7/2 with 64 filters, then a 3×3/2 max pool (Table 1). */
        IMAGENET,
        /** A 3×3 convolution with 16 filters (§4.2). */
        CIFAR
    }

    /** The two building blocks of Fig. 5. */
    public enum BlockType {
        /** Two 3×3 convolutions. */
        BASIC(1),
        /** 1×1 reduce, 3×3, 1×1 restore to four times the width. */
        BOTTLENECK(4);

        private final int expansion;

        BlockType(int expansion) {
            this.expansion = expansion;
        }

        /** Output channels per unit of stage width. */
        public int expansion() {
            return expansion;
        }
    }

    private static final Map<Integer, List<Integer>> IMAGENET_STAGES = Map.of(
            18, List.of(2, 2, 2, 2),
            34, List.of(3, 4, 6, 3),
            50, List.of(3, 4, 6, 3),
            101, List.of(3, 4, 23, 3),
            152, List.of(3, 8, 36, 3));

    /** The networks of Table 1 and §4.2, in the order the paper introduces them. */
    public static final List<String> PAPER_ARCHITECTURES = List.of(
            "plain18",
            "plain34",
            "resnet18",
            "resnet34",
            "resnet50",
            "resnet101",
            "resnet152",
            "resnet20",
            "resnet32",
            "resnet44",
            "resnet56",
            "resnet110");

    public ResNetSpec {
        blocksPerStage = List.copyOf(blocksPerStage);
        stageWidths = List.copyOf(stageWidths);
        if (blocksPerStage.size() != stageWidths.size() || blocksPerStage.isEmpty()) {
            throw new IllegalArgumentException("one width per stage needed: " + blocksPerStage + " " + stageWidths);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be positive: " + classes);
        }
    }

    /**
     * Looks up an architecture by name, case and dashes ignored: {@code resnet18/34/50/101/152}, {@code plain18/34}
     * (ImageNet, 1000 classes, option B, 224²), and the CIFAR {@code resnet<6n+2>} such as {@code resnet20} or
     * {@code resnet110} (10 classes, option A, 32²).
     */
    public static ResNetSpec named(String name) {
        String key = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        if (key.startsWith("plain")) {
            return plain(parseDepth(key.substring("plain".length()), name));
        }
        if (key.startsWith("resnet")) {
            int depth = parseDepth(key.substring("resnet".length()), name);
            return IMAGENET_STAGES.containsKey(depth) ? imagenet(depth) : cifar(depth);
        }
        throw new IllegalArgumentException("unknown architecture: " + name);
    }

    /** ResNet-18/34/50/101/152 of Table 1 with option B shortcuts. */
    public static ResNetSpec imagenet(int depth) {
        List<Integer> stages = IMAGENET_STAGES.get(depth);
        if (stages == null) {
            throw new IllegalArgumentException("Table 1 has no " + depth + "-layer network");
        }
        BlockType block = depth >= 50 ? BlockType.BOTTLENECK : BlockType.BASIC;
        return new ResNetSpec(
                "resnet" + depth,
                Stem.IMAGENET,
                block,
                stages,
                List.of(64, 128, 256, 512),
                ShortcutOption.B,
                1000,
                224);
    }

    /** Plain-18/34: the ImageNet stacks without shortcuts. */
    public static ResNetSpec plain(int depth) {
        if (depth != 18 && depth != 34) {
            throw new IllegalArgumentException("the paper has plain-18 and plain-34 only, not " + depth);
        }
        ResNetSpec residual = imagenet(depth);
        return new ResNetSpec(
                "plain" + depth,
                Stem.IMAGENET,
                BlockType.BASIC,
                residual.blocksPerStage(),
                residual.stageWidths(),
                ShortcutOption.NONE,
                1000,
                224);
    }

    /** The CIFAR-10 networks of §4.2: 6n+2 layers, option A shortcuts. */
    public static ResNetSpec cifar(int depth) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("CIFAR ResNets have 6n+2 layers, not " + depth);
        }
        int n = (depth - 2) / 6;
        return new ResNetSpec(
                "resnet" + depth,
                Stem.CIFAR,
                BlockType.BASIC,
                List.of(n, n, n),
                List.of(16, 32, 64),
                ShortcutOption.A,
                10,
                32);
    }

    private static int parseDepth(String digits, String name) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown architecture: " + name, e);
        }
    }

    public ResNetSpec withClasses(int newClasses) {
        return new ResNetSpec(
                name, stem, blockType, blocksPerStage, stageWidths, shortcut, newClasses, defaultInputSize);
    }

    /** The same stack with another shortcut option; NONE turns a residual network into its plain twin. */
    public ResNetSpec withShortcut(ShortcutOption option) {
        return new ResNetSpec(name, stem, blockType, blocksPerStage, stageWidths, option, classes, defaultInputSize);
    }

    /** The first convolution. */
    public ConvSpec stemConv() {
        return stem == Stem.IMAGENET ? new ConvSpec("conv1", 7, 3, 64, 2) : new ConvSpec("conv1", 3, 3, 16, 1);
    }

    /** The building blocks in order, named {@code conv<stage>_block<i>} with stages counted from 2 as in Table 1. */
    public List<BlockSpec> blocks() {
        List<BlockSpec> blocks = new ArrayList<>();
        int channels = stemConv().outChannels();
        for (int stage = 0; stage < blocksPerStage.size(); stage++) {
            int width = stageWidths.get(stage);
            for (int i = 0; i < blocksPerStage.get(stage); i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                String blockName = "conv" + (stage + 2) + "_block" + (i + 1);
                BlockSpec block = block(blockName, channels, width, stride);
                blocks.add(block);
                channels = block.outChannels();
            }
        }
        return blocks;
    }

    private BlockSpec block(String blockName, int in, int width, int stride) {
        int out = width * blockType.expansion();
        List<ConvSpec> branch = blockType == BlockType.BASIC
                ? List.of(
                        new ConvSpec(blockName + "_1", 3, in, width, stride),
                        new ConvSpec(blockName + "_2", 3, width, width, 1))
                : List.of(
                        new ConvSpec(blockName + "_1", 1, in, width, stride),
                        new ConvSpec(blockName + "_2", 3, width, width, 1),
                        new ConvSpec(blockName + "_3", 1, width, out, 1));
        boolean dimensionsGrow = stride != 1 || in != out;
        BlockSpec.Shortcut kind =
                switch (shortcut) {
                    case NONE -> BlockSpec.Shortcut.NONE;
                    case A -> dimensionsGrow ? BlockSpec.Shortcut.ZERO_PADDED : BlockSpec.Shortcut.IDENTITY;
                    case B -> dimensionsGrow ? BlockSpec.Shortcut.PROJECTION : BlockSpec.Shortcut.IDENTITY;
                    case C -> BlockSpec.Shortcut.PROJECTION;
                };
        Optional<ConvSpec> projection = kind == BlockSpec.Shortcut.PROJECTION
                ? Optional.of(new ConvSpec(blockName + "_0", 1, in, out, stride))
                : Optional.empty();
        return new BlockSpec(blockName, branch, kind, projection);
    }

    /** Channels entering the global average pool. */
    public int featureChannels() {
        return stageWidths.get(stageWidths.size() - 1) * blockType.expansion();
    }

    /** Weighted layers on the main path as the paper counts them: convolutions and the fc, not projections. */
    public int layers() {
        int branchConvolutions =
                blocksPerStage.stream().mapToInt(Integer::intValue).sum() * blockBranchLength();
        return 1 + branchConvolutions + 1;
    }

    private int blockBranchLength() {
        return blockType == BlockType.BASIC ? 2 : 3;
    }

    /** Every convolution, stem first, then each block's branch and projection. */
    public List<ConvSpec> convolutions() {
        List<ConvSpec> convolutions = new ArrayList<>();
        convolutions.add(stemConv());
        for (BlockSpec block : blocks()) {
            convolutions.addAll(block.branch());
            block.projection().ifPresent(convolutions::add);
        }
        return convolutions;
    }

    /** Trainable parameters: kernels, batch-norm scales and shifts, fc weights and biases. */
    public long parameterCount() {
        long total = (long) featureChannels() * classes + classes;
        for (ConvSpec conv : convolutions()) {
            total += conv.parameterCount();
        }
        return total;
    }

    /** Multiply-adds of one forward pass (convolutions and fc) for a square input of side {@code inputSize}. */
    public long multiplyAdds(int inputSize) {
        checkInputSize(inputSize);
        ConvSpec stemConv = stemConv();
        long total = stemConv.multiplyAdds(inputSize);
        int size = stemFeatureSize(inputSize);
        for (BlockSpec block : blocks()) {
            int blockInput = size;
            for (ConvSpec conv : block.branch()) {
                total += conv.multiplyAdds(size);
                size = conv.outputSize(size);
            }
            if (block.projection().isPresent()) {
                total += block.projection().get().multiplyAdds(blockInput);
            }
        }
        return total + (long) featureChannels() * classes;
    }

    /** Side of the map entering the first stage. */
    public int stemFeatureSize(int inputSize) {
        int size = stemConv().outputSize(inputSize);
        return stem == Stem.IMAGENET ? (size + 2 - 3) / 2 + 1 : size;
    }

    /** Rejects inputs too small for the stack's strides. */
    public void checkInputSize(int inputSize) {
        int minimum = stem == Stem.IMAGENET ? 32 : 4;
        if (inputSize < minimum) {
            throw new IllegalArgumentException(
                    name + " needs inputs of at least " + minimum + " pixels, not " + inputSize);
        }
    }
}
