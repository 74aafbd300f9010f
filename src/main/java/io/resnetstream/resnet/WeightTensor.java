package io.resnetstream.resnet;

import java.util.Arrays;

/**
 * One named weight array of a network, row-major in TensorFlow's layout (HWIO kernels, [in, out] fc).
 *
 * @param shape  dimensions
 * @param values {@code product(shape)} floats
 */
public record WeightTensor(long[] shape, float[] values) {

    public WeightTensor {
        long size = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (size != values.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + size + " values, not " + values.length);
        }
    }

    /** A tensor of one repeated value. */
    public static WeightTensor filled(long[] shape, float value) {
        float[] values = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        Arrays.fill(values, value);
        return new WeightTensor(shape, values);
    }
}
