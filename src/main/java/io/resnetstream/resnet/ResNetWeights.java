package io.resnetstream.resnet;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * All weights of a network by name ({@code conv2_block1_1/kernel}, {@code conv1/bn/moving_variance},
 * {@code fc/weights}...), either initialised from a seed or read back from a trained graph.
 */
public final class ResNetWeights {

    public static final String FC_WEIGHTS = "fc/weights";
    public static final String FC_BIAS = "fc/bias";

    private final Map<String, WeightTensor> tensors;

    public ResNetWeights(Map<String, WeightTensor> tensors) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /**
     * Deterministic weights for {@code spec} from {@code seed}; each tensor draws from its own generator, seeded by
     * the seed and its name, so a tensor's values do not depend on the rest of the network.
     *
     * <ul>
     *   <li>Kernels: He et al. normal, std √(2 / (k²·C_in)).</li>
     *   <li>Batch norm: γ = 1, β = 0, moving mean 0, moving variance = the expected second moment of the
     *       convolution's output (He init doubles its input's), so every batch norm emits roughly unit-variance
     *       activations as in a trained network. With variance 1 everywhere, activations would grow with each
     *       residual addition and the softmax of a deep net would be one-hot.</li>
     *   <li>fc: normal with std √(1 / (C·m)), m the expected second moment of the pooled features, so logits are
     *       of order 1; bias 0.</li>
     * </ul>
     */
    public static ResNetWeights initialize(ResNetSpec spec, long seed) {
        Map<String, WeightTensor> tensors = new LinkedHashMap<>();
        // second moment of the activations: normalised images ~1, a ReLU halves that of a zero-mean input
        addConvolution(tensors, spec.stemConv(), 1.0, seed);
        double stream = 0.5;
        for (BlockSpec block : spec.blocks()) {
            double moment = stream;
            for (ConvSpec conv : block.branch()) {
                addConvolution(tensors, conv, moment, seed);
                moment = 0.5;
            }
            stream = switch (block.shortcut()) {
                case NONE -> 0.5;
                    // a non-negative identity plus a zero-mean unit-variance branch mostly passes the ReLU
                case IDENTITY, ZERO_PADDED -> stream + 0.5;
                case PROJECTION -> {
                    addConvolution(tensors, block.projection().orElseThrow(), stream, seed);
                    yield 1.0;
                }
            };
        }
        int features = spec.featureChannels();
        tensors.put(
                FC_WEIGHTS,
                gaussian(
                        new long[] {features, spec.classes()}, Math.sqrt(1.0 / (features * stream)), seed, FC_WEIGHTS));
        tensors.put(FC_BIAS, WeightTensor.filled(new long[] {spec.classes()}, 0f));
        return new ResNetWeights(tensors);
    }

    private static void addConvolution(
            Map<String, WeightTensor> tensors, ConvSpec conv, double inputMoment, long seed) {
        double fanIn = (double) conv.kernel() * conv.kernel() * conv.inChannels();
        tensors.put(conv.kernelName(), gaussian(conv.kernelShape(), Math.sqrt(2.0 / fanIn), seed, conv.kernelName()));
        long[] channels = {conv.outChannels()};
        tensors.put(conv.gammaName(), WeightTensor.filled(channels, 1f));
        tensors.put(conv.betaName(), WeightTensor.filled(channels, 0f));
        tensors.put(conv.movingMeanName(), WeightTensor.filled(channels, 0f));
        tensors.put(conv.movingVarianceName(), WeightTensor.filled(channels, (float) (2.0 * inputMoment)));
    }

    private static WeightTensor gaussian(long[] shape, double std, long seed, String name) {
        SplittableRandom random = new SplittableRandom(seed ^ nameHash(name));
        WeightTensor tensor = WeightTensor.filled(shape, 0f);
        float[] values = tensor.values();
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return tensor;
    }

    /** 64-bit FNV-1a, so that no two weight names share a generator in practice. */
    private static long nameHash(String name) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return hash;
    }

    /** The tensor called {@code name}. */
    public WeightTensor get(String name) {
        WeightTensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("no weight named " + name);
        }
        return tensor;
    }

    /** Every tensor, in creation order. */
    public Map<String, WeightTensor> tensors() {
        return tensors;
    }
}
