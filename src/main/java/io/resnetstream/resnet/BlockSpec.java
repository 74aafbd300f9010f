package io.resnetstream.resnet;

import java.util.List;
import java.util.Optional;

/**
 * One building block: the residual branch's convolutions and how the block's input reaches the addition.
 *
 * @param name       graph scope, e.g. {@code conv3_block1} (stage 3 of Table 1, first block)
 * @param branch     the convolutions of F(x), in order; a ReLU follows each but the last
 * @param shortcut   how x joins F(x)
 * @param projection the 1×1 convolution of a {@link Shortcut#PROJECTION} shortcut
 */
public record BlockSpec(String name, List<ConvSpec> branch, Shortcut shortcut, Optional<ConvSpec> projection) {

    /** What the block adds to its branch output. */
    public enum Shortcut {
        /** Nothing (plain network). */
        NONE,
        /** x itself. */
        IDENTITY,
        /** x subsampled by the stride, extra channels zero-filled (option A where dimensions grow). */
        ZERO_PADDED,
        /** W_s·x, a 1×1 convolution with batch norm (eq. 2). */
        PROJECTION
    }

    public BlockSpec {
        branch = List.copyOf(branch);
    }

    public int inChannels() {
        return branch.get(0).inChannels();
    }

    public int outChannels() {
        return branch.get(branch.size() - 1).outChannels();
    }

    /** Stride of the block, carried by its first convolution. */
    public int stride() {
        return branch.get(0).stride();
    }

    /** Side of the block's output map. */
    public int outputSize(int inputSize) {
        int size = inputSize;
        for (ConvSpec conv : branch) {
            size = conv.outputSize(size);
        }
        return size;
    }
}
