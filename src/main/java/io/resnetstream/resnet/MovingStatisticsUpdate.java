package io.resnetstream.resnet;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A training-mode batch norm's new moving averages. FusedBatchNormV3 computes them (with its exponential average
 * factor) but does not write them back: the trainer assigns them to the variables.
 *
 * @param conv              the convolution the batch norm follows
 * @param newMovingMean     value for {@link ConvSpec#movingMeanName()}
 * @param newMovingVariance value for {@link ConvSpec#movingVarianceName()}
 */
public record MovingStatisticsUpdate(
        ConvSpec conv, Operand<TFloat32> newMovingMean, Operand<TFloat32> newMovingVariance) {}
