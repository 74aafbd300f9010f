package io.resnetstream.resnet;

/**
 * One convolution of a network, always followed by batch normalisation. Odd kernels are padded symmetrically by
 * {@code kernel / 2}, as in the paper's Caffe models.
 *
 * @param name        graph scope, also the prefix of its weight names
 * @param kernel      kernel height and width
 * @param inChannels  input channels
 * @param outChannels filters
 * @param stride      stride in both directions
 */
public record ConvSpec(String name, int kernel, int inChannels, int outChannels, int stride) {

    /** Side of the output map for a square input of side {@code inputSize}. */
    public int outputSize(int inputSize) {
        int padding = kernel / 2;
        return (inputSize + 2 * padding - kernel) / stride + 1;
    }

    /** Multiply-adds for a square input of side {@code inputSize}. */
    public long multiplyAdds(int inputSize) {
        long out = outputSize(inputSize);
        return out * out * kernel * kernel * inChannels * (long) outChannels;
    }

    /** Kernel weights plus batch-norm scale and shift; the moving statistics are not parameters. */
    public long parameterCount() {
        return (long) kernel * kernel * inChannels * outChannels + 2L * outChannels;
    }

    /** Kernel shape, {@code [kernel, kernel, in, out]} (HWIO, what TensorFlow's Conv2D takes). */
    public long[] kernelShape() {
        return new long[] {kernel, kernel, inChannels, outChannels};
    }

    public String kernelName() {
        return name + "/kernel";
    }

    public String gammaName() {
        return name + "/bn/gamma";
    }

    public String betaName() {
        return name + "/bn/beta";
    }

    public String movingMeanName() {
        return name + "/bn/moving_mean";
    }

    public String movingVarianceName() {
        return name + "/bn/moving_variance";
    }
}
