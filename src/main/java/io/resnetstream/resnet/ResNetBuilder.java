package io.resnetstream.resnet;

import java.util.ArrayList;
import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * Builds a {@link ResNetSpec} into a TensorFlow graph: NHWC float images in, logits out. Batch normalisation follows
 * every convolution, ReLU follows the addition (He et al. 2015, §3.4).
 *
 * <p>Strided convolutions with kernels above 1×1 and the max pool pad symmetrically then run VALID: TensorFlow's
 * SAME would pad only the bottom and right and shift every window against the paper's (and Keras', torchvision's)
 * networks. Stride-1 odd kernels use SAME, which is symmetric there.
 */
public final class ResNetBuilder {

    private static final float EPSILON = 1e-5f;

    private final Ops tf;
    private final ResNetSpec spec;
    private final WeightSource weights;
    private final boolean training;
    private final float movingAverageFactor;
    private final List<MovingStatisticsUpdate> updates = new ArrayList<>();

    private ResNetBuilder(Ops tf, ResNetSpec spec, WeightSource weights, boolean training, float movingAverageFactor) {
        this.tf = tf;
        this.spec = spec;
        this.weights = weights;
        this.training = training;
        this.movingAverageFactor = movingAverageFactor;
    }

    /** Batch norm normalises with the moving statistics. */
    public static ResNetGraph inference(Ops tf, ResNetSpec spec, WeightSource weights, Operand<TFloat32> images) {
        return new ResNetBuilder(tf, spec, weights, false, 1f).build(images);
    }

    /**
     * Batch norm normalises with the batch's statistics and reports new moving averages
     * ({@code (1 - factor) · old + factor · batch}) in {@link ResNetGraph#statisticUpdates()}.
     */
    public static ResNetGraph training(
            Ops tf, ResNetSpec spec, WeightSource weights, Operand<TFloat32> images, float movingAverageFactor) {
        return new ResNetBuilder(tf, spec, weights, true, movingAverageFactor).build(images);
    }

    private ResNetGraph build(Operand<TFloat32> images) {
        Operand<TFloat32> x = tf.nn.relu(convolution(spec.stemConv(), images));
        if (spec.stem() == ResNetSpec.Stem.IMAGENET) {
            // zero padding equals -inf padding here: the input is a ReLU output
            Operand<TFloat32> padded = padSpatially(tf.withSubScope("pool1"), x, 1);
            x = tf.withSubScope("pool1")
                    .nn
                    .maxPool(padded, tf.constant(new int[] {1, 3, 3, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
        }
        for (BlockSpec block : spec.blocks()) {
            x = block(block, x);
        }
        Ops head = tf.withSubScope("fc");
        Operand<TFloat32> pooled = head.withName("global_average_pool").math.mean(x, head.constant(new int[] {1, 2}));
        int features = spec.featureChannels();
        Operand<TFloat32> kernel = weights.weight(ResNetWeights.FC_WEIGHTS, Shape.of(features, spec.classes()));
        Operand<TFloat32> bias = weights.weight(ResNetWeights.FC_BIAS, Shape.of(spec.classes()));
        Operand<TFloat32> logits = head.withName("logits").nn.biasAdd(head.linalg.matMul(pooled, kernel), bias);
        return new ResNetGraph(logits, updates);
    }

    private Operand<TFloat32> block(BlockSpec block, Operand<TFloat32> input) {
        Operand<TFloat32> branch = input;
        List<ConvSpec> convs = block.branch();
        for (int i = 0; i < convs.size(); i++) {
            branch = convolution(convs.get(i), branch);
            if (i < convs.size() - 1) {
                branch = tf.nn.relu(branch);
            }
        }
        Ops scope = tf.withSubScope(block.name());
        Operand<TFloat32> sum =
                switch (block.shortcut()) {
                    case NONE -> branch;
                    case IDENTITY -> scope.withName("add").math.add(input, branch);
                    case ZERO_PADDED -> scope.withName("add").math.add(zeroPadded(scope, input, block), branch);
                    case PROJECTION -> scope.withName("add")
                            .math
                            .add(convolution(block.projection().orElseThrow(), input), branch);
                };
        return scope.withName("out").nn.relu(sum);
    }

    /** Option A: keep every {@code stride}-th pixel, append zero channels. */
    private Operand<TFloat32> zeroPadded(Ops scope, Operand<TFloat32> input, BlockSpec block) {
        Operand<TFloat32> x = input;
        long stride = block.stride();
        if (stride > 1) {
            // a 1×1 average pool with a stride is plain subsampling, and has a gradient
            x = scope.nn.avgPool(x, List.of(1L, 1L, 1L, 1L), List.of(1L, stride, stride, 1L), "VALID");
        }
        int extraChannels = block.outChannels() - block.inChannels();
        if (extraChannels > 0) {
            x = scope.pad(
                    x, scope.constant(new int[][] {{0, 0}, {0, 0}, {0, 0}, {0, extraChannels}}), scope.constant(0f));
        }
        return x;
    }

    /** Convolution then batch norm, no activation. */
    private Operand<TFloat32> convolution(ConvSpec conv, Operand<TFloat32> input) {
        Ops scope = tf.withSubScope(conv.name());
        Operand<TFloat32> kernel = weights.weight(conv.kernelName(), Shape.of(conv.kernelShape()));
        long stride = conv.stride();
        List<Long> strides = List.of(1L, stride, stride, 1L);
        Operand<TFloat32> convolved;
        if (conv.kernel() == 1) {
            convolved = scope.nn.conv2d(input, kernel, strides, "VALID");
        } else if (stride == 1) {
            convolved = scope.nn.conv2d(input, kernel, strides, "SAME");
        } else {
            Operand<TFloat32> padded = padSpatially(scope, input, conv.kernel() / 2);
            convolved = scope.nn.conv2d(padded, kernel, strides, "VALID");
        }
        return batchNorm(scope.withSubScope("bn"), conv, convolved);
    }

    private Operand<TFloat32> batchNorm(Ops scope, ConvSpec conv, Operand<TFloat32> x) {
        Shape channels = Shape.of(conv.outChannels());
        Operand<TFloat32> movingMean = weights.weight(conv.movingMeanName(), channels);
        Operand<TFloat32> movingVariance = weights.weight(conv.movingVarianceName(), channels);
        FusedBatchNorm<TFloat32, TFloat32> norm = scope.nn.fusedBatchNorm(
                x,
                weights.weight(conv.gammaName(), channels),
                weights.weight(conv.betaName(), channels),
                movingMean,
                movingVariance,
                FusedBatchNorm.epsilon(EPSILON),
                FusedBatchNorm.isTraining(training),
                FusedBatchNorm.exponentialAvgFactor(movingAverageFactor));
        if (training) {
            updates.add(new MovingStatisticsUpdate(conv, norm.batchMean(), norm.batchVariance()));
        }
        return norm.y();
    }

    private static Operand<TFloat32> padSpatially(Ops scope, Operand<TFloat32> x, int padding) {
        return scope.pad(
                x,
                scope.constant(new int[][] {{0, 0}, {padding, padding}, {padding, padding}, {0, 0}}),
                scope.constant(0f));
    }
}
