package io.resnetstream.resnet;

import io.resnetstream.inference.Softmax;

/**
 * A plain-Java forward pass of a {@link ResNetSpec}, written from the paper rather than from {@link ResNetBuilder},
 * to check the graph: symmetric padding, strides, shortcuts, batch norm, pooling. Slow; for tiny inputs only.
 */
final class ReferenceResNet {

    private static final float EPSILON = 1e-5f;

    private final ResNetSpec spec;
    private final ResNetWeights weights;

    ReferenceResNet(ResNetSpec spec, ResNetWeights weights) {
        this.spec = spec;
        this.weights = weights;
    }

    /** Softmax probabilities for one HWC image. */
    float[] classify(float[] image, int side) {
        Map x = new Map(side, side, 3, image);
        x = relu(convBn(spec.stemConv(), x));
        if (spec.stem() == ResNetSpec.Stem.IMAGENET) {
            x = maxPool3x3Stride2(x);
        }
        for (BlockSpec block : spec.blocks()) {
            Map branch = x;
            for (int i = 0; i < block.branch().size(); i++) {
                branch = convBn(block.branch().get(i), branch);
                if (i < block.branch().size() - 1) {
                    branch = relu(branch);
                }
            }
            Map shortcut =
                    switch (block.shortcut()) {
                        case NONE -> null;
                        case IDENTITY -> x;
                        case ZERO_PADDED -> subsampleAndPad(x, block.stride(), block.outChannels());
                        case PROJECTION -> convBn(block.projection().orElseThrow(), x);
                    };
            if (shortcut != null) {
                for (int i = 0; i < branch.data.length; i++) {
                    branch.data[i] += shortcut.data[i];
                }
            }
            x = relu(branch);
        }
        float[] pooled = new float[x.c];
        for (int i = 0; i < x.data.length; i++) {
            pooled[i % x.c] += x.data[i] / (x.h * x.w);
        }
        WeightTensor fc = weights.get(ResNetWeights.FC_WEIGHTS);
        float[] logits = weights.get(ResNetWeights.FC_BIAS).values().clone();
        for (int k = 0; k < pooled.length; k++) {
            for (int c = 0; c < logits.length; c++) {
                logits[c] += pooled[k] * fc.values()[k * logits.length + c];
            }
        }
        Softmax.inPlace(logits);
        return logits;
    }

    private Map convBn(ConvSpec conv, Map in) {
        int k = conv.kernel();
        int pad = k / 2;
        int s = conv.stride();
        int outH = conv.outputSize(in.h);
        int outW = conv.outputSize(in.w);
        float[] kernel = weights.get(conv.kernelName()).values();
        Map out = new Map(outH, outW, conv.outChannels(), new float[outH * outW * conv.outChannels()]);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                for (int o = 0; o < out.c; o++) {
                    double sum = 0;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int iy = y * s + ky - pad;
                            int ix = x * s + kx - pad;
                            if (iy < 0 || ix < 0 || iy >= in.h || ix >= in.w) {
                                continue;
                            }
                            for (int i = 0; i < in.c; i++) {
                                sum += in.at(iy, ix, i) * kernel[((ky * k + kx) * in.c + i) * out.c + o];
                            }
                        }
                    }
                    out.data[(y * outW + x) * out.c + o] = (float) sum;
                }
            }
        }
        float[] gamma = weights.get(conv.gammaName()).values();
        float[] beta = weights.get(conv.betaName()).values();
        float[] mean = weights.get(conv.movingMeanName()).values();
        float[] variance = weights.get(conv.movingVarianceName()).values();
        for (int i = 0; i < out.data.length; i++) {
            int o = i % out.c;
            out.data[i] = (float) ((out.data[i] - mean[o]) / Math.sqrt(variance[o] + EPSILON) * gamma[o] + beta[o]);
        }
        return out;
    }

    private static Map maxPool3x3Stride2(Map in) {
        int outH = (in.h + 2 - 3) / 2 + 1;
        int outW = (in.w + 2 - 3) / 2 + 1;
        Map out = new Map(outH, outW, in.c, new float[outH * outW * in.c]);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                for (int c = 0; c < in.c; c++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = y * 2 + ky - 1;
                            int ix = x * 2 + kx - 1;
                            if (iy >= 0 && ix >= 0 && iy < in.h && ix < in.w) {
                                max = Math.max(max, in.at(iy, ix, c));
                            }
                        }
                    }
                    out.data[(y * outW + x) * in.c + c] = max;
                }
            }
        }
        return out;
    }

    private static Map subsampleAndPad(Map in, int stride, int channels) {
        int outH = (in.h - 1) / stride + 1;
        int outW = (in.w - 1) / stride + 1;
        Map out = new Map(outH, outW, channels, new float[outH * outW * channels]);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                for (int c = 0; c < in.c; c++) {
                    out.data[(y * outW + x) * channels + c] = in.at(y * stride, x * stride, c);
                }
            }
        }
        return out;
    }

    private static Map relu(Map in) {
        for (int i = 0; i < in.data.length; i++) {
            in.data[i] = Math.max(0f, in.data[i]);
        }
        return in;
    }

    /** An HWC feature map. */
    private record Map(int h, int w, int c, float[] data) {
        float at(int y, int x, int channel) {
            return data[(y * w + x) * c + channel];
        }
    }
}
