package io.resnetstream.resnet;

import java.util.Arrays;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Embeds weights as constants in the GraphDef: faster at batch 1 than variables, and the SavedModel is one file with
 * nothing to restore.
 */
public final class ConstantWeights implements WeightSource {

    private final Ops tf;
    private final ResNetWeights weights;

    public ConstantWeights(Ops tf, ResNetWeights weights) {
        this.tf = tf;
        this.weights = weights;
    }

    @Override
    public Operand<TFloat32> weight(String name, Shape shape) {
        WeightTensor tensor = weights.get(name);
        if (!Arrays.equals(tensor.shape(), shape.asArray())) {
            throw new IllegalArgumentException(
                    name + " has shape " + Arrays.toString(tensor.shape()) + ", the network needs " + shape);
        }
        return ScopedNames.named(tf, name).constant(shape, DataBuffers.of(tensor.values(), true, false));
    }
}
