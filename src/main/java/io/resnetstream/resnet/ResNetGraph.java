package io.resnetstream.resnet;

import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A network built into a graph.
 *
 * @param logits           {@code [batch, classes]} before the softmax
 * @param statisticUpdates batch-norm moving averages to assign after each training step; empty in inference mode
 */
public record ResNetGraph(Operand<TFloat32> logits, List<MovingStatisticsUpdate> statisticUpdates) {

    public ResNetGraph {
        statisticUpdates = List.copyOf(statisticUpdates);
    }
}
