package io.resnetstream.resnet;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** Supplies the graph operand of each named weight: constants for inference, variables for training. */
public interface WeightSource {

    /**
     * The operand holding weight {@code name} (e.g. {@code conv2_block1_1/kernel}).
     *
     * @param shape the shape the network expects, for checking or for creating a variable
     */
    Operand<TFloat32> weight(String name, Shape shape);
}
