package io.resnetstream.resnet;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import io.resnetstream.inference.TensorFlowRuntime;

/**
 * A network built in memory and run in a TensorFlow session, without exporting: for measuring architectures.
 * Not thread-safe.
 */
public final class ResNetSession implements AutoCloseable {

    private final Graph graph;
    private final Session session;
    private final Operand<TFloat32> images;
    private final Operand<TFloat32> probabilities;
    private final int inputSize;
    private final int classes;

    private ResNetSession(
            Graph graph,
            Session session,
            Operand<TFloat32> images,
            Operand<TFloat32> probabilities,
            int inputSize,
            int classes) {
        this.graph = graph;
        this.session = session;
        this.images = images;
        this.probabilities = probabilities;
        this.inputSize = inputSize;
        this.classes = classes;
    }

    /** Builds {@code spec} with {@code weights} as constants for square inputs of side {@code inputSize}. */
    public static ResNetSession build(ResNetSpec spec, ResNetWeights weights, int inputSize) {
        spec.checkInputSize(inputSize);
        TensorFlowRuntime.engine();
        Graph graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            Operand<TFloat32> images =
                    tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, inputSize, inputSize, 3)));
            ResNetGraph network = ResNetBuilder.inference(tf, spec, new ConstantWeights(tf, weights), images);
            Operand<TFloat32> probabilities = tf.nn.softmax(network.logits());
            return new ResNetSession(graph, new Session(graph), images, probabilities, inputSize, spec.classes());
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** Softmax rows for {@code views} NHWC images. */
    public float[][] classify(float[] nhwc, int views) {
        float[] flat = new float[views * classes];
        try (TFloat32 input =
                        TFloat32.tensorOf(Shape.of(views, inputSize, inputSize, 3), DataBuffers.of(nhwc, true, false));
                Result result = session.runner()
                        .feed(images, input)
                        .fetch(probabilities)
                        .run()) {
            ((TFloat32) result.get(0)).read(DataBuffers.of(flat, false, false));
        }
        float[][] rows = new float[views][classes];
        for (int v = 0; v < views; v++) {
            System.arraycopy(flat, v * classes, rows[v], 0, classes);
        }
        return rows;
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
