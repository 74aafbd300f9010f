package io.resnetstream.resnet.training;

import java.util.ArrayList;
import java.util.List;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import io.resnetstream.inference.TensorFlowRuntime;
import io.resnetstream.resnet.ConvSpec;
import io.resnetstream.resnet.MovingStatisticsUpdate;
import io.resnetstream.resnet.ResNetBuilder;
import io.resnetstream.resnet.ResNetGraph;
import io.resnetstream.resnet.ResNetSpec;
import io.resnetstream.resnet.ResNetWeights;

/**
 * Trains a {@link ResNetSpec} with graph gradients: softmax cross-entropy on one-hot labels (the sparse op has no
 * gradient in TF 2.10.1) plus L2 weight decay on kernels and fc weights, SGD with momentum, batch norm in training
 * mode with its moving averages assigned after each step. A second network over the same variables, batch norm in
 * inference mode, evaluates. Not thread-safe.
 */
public final class ResNetTrainer implements AutoCloseable {

    /** Weight of the current batch in the batch-norm moving averages (Keras' momentum 0.9). */
    private static final float MOVING_AVERAGE_FACTOR = 0.1f;

    private final ResNetSpec spec;
    private final int crop;
    private final Graph graph;
    private final Session session;
    private final TrainableWeights weights;
    private final Placeholder<TFloat32> images;
    private final Placeholder<TFloat32> labels;
    private final Placeholder<TFloat32> learningRate;
    private final Operand<TFloat32> loss;
    private final Operand<TFloat32> correct;
    private final Op trainStep;
    private final Placeholder<TFloat32> evaluationImages;
    private final Operand<TFloat32> evaluationProbabilities;

    /**
     * Builds the graph and initialises the weights.
     *
     * @param crop        side of the training and evaluation inputs
     * @param momentum    SGD momentum (paper: 0.9)
     * @param weightDecay L2 factor (paper: 1e-4)
     * @param initial     starting weights, e.g. {@link ResNetWeights#initialize}
     */
    public ResNetTrainer(ResNetSpec spec, int crop, float momentum, float weightDecay, ResNetWeights initial) {
        spec.checkInputSize(crop);
        TensorFlowRuntime.engine();
        this.spec = spec;
        this.crop = crop;
        this.graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            weights = new TrainableWeights(tf);
            Shape inputShape = Shape.of(-1, crop, crop, 3);
            images = tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(inputShape));
            labels = tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, spec.classes())));
            learningRate = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));

            ResNetGraph network = ResNetBuilder.training(tf, spec, weights, images, MOVING_AVERAGE_FACTOR);
            Operand<TFloat32> crossEntropy = tf.math.mean(
                    tf.nn.softmaxCrossEntropyWithLogits(network.logits(), labels)
                            .loss(),
                    tf.constant(0));
            loss = tf.math.add(crossEntropy, tf.math.mul(tf.constant(weightDecay), decayedWeightsL2(tf)));
            correct = tf.reduceSum(
                    tf.dtypes.cast(
                            tf.math.equal(
                                    tf.math.argMax(network.logits(), tf.constant(1)),
                                    tf.math.argMax(labels, tf.constant(1))),
                            TFloat32.class),
                    tf.constant(0));

            List<Variable<TFloat32>> trainable = trainableVariables();
            Gradients gradients = tf.gradients(loss, trainable);
            // ref variables share memory with their readers: update only once every gradient and statistic exists
            List<Op> computed = new ArrayList<>();
            gradients.forEach(computed::add);
            computed.add(loss);
            computed.add(correct);
            for (MovingStatisticsUpdate update : network.statisticUpdates()) {
                computed.add(update.newMovingMean());
                computed.add(update.newMovingVariance());
            }
            Ops afterGradients = tf.withControlDependencies(computed);
            List<Op> updates = new ArrayList<>();
            List<Op> velocityInitializers = new ArrayList<>();
            for (int i = 0; i < trainable.size(); i++) {
                Variable<TFloat32> variable = trainable.get(i);
                Variable<TFloat32> velocity = tf.variable(variable.shape(), TFloat32.class);
                velocityInitializers.add(tf.assign(velocity, tf.zeros(tf.constant(variable.shape()), TFloat32.class)));
                updates.add(afterGradients.train.applyMomentum(
                        variable, velocity, learningRate, gradients.dy(i), tf.constant(momentum)));
            }
            for (MovingStatisticsUpdate update : network.statisticUpdates()) {
                ConvSpec conv = update.conv();
                updates.add(
                        afterGradients.assign(weights.variables().get(conv.movingMeanName()), update.newMovingMean()));
                updates.add(afterGradients.assign(
                        weights.variables().get(conv.movingVarianceName()), update.newMovingVariance()));
            }
            trainStep = tf.withControlDependencies(updates).noOp();

            evaluationImages =
                    tf.withName("evaluation_images").placeholder(TFloat32.class, Placeholder.shape(inputShape));
            evaluationProbabilities = tf.nn.softmax(
                    ResNetBuilder.inference(tf, spec, weights, evaluationImages).logits());

            session = new Session(graph);
            for (Op initializer : velocityInitializers) {
                session.run(initializer);
            }
            weights.initialize(session, initial);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** Σ ||w||² / 2 over convolution kernels and fc weights; batch-norm scales, shifts and biases are not decayed. */
    private Operand<TFloat32> decayedWeightsL2(Ops tf) {
        List<Operand<TFloat32>> terms = new ArrayList<>();
        for (String name : weights.variables().keySet()) {
            if (name.endsWith("/kernel") || name.equals(ResNetWeights.FC_WEIGHTS)) {
                terms.add(tf.nn.l2Loss(weights.read(name)));
            }
        }
        return tf.math.addN(terms);
    }

    /** Everything but the batch-norm moving statistics, which are assigned, not learned. */
    private List<Variable<TFloat32>> trainableVariables() {
        List<Variable<TFloat32>> trainable = new ArrayList<>();
        weights.variables().forEach((name, variable) -> {
            if (!name.endsWith("/moving_mean") && !name.endsWith("/moving_variance")) {
                trainable.add(variable);
            }
        });
        return trainable;
    }

    /** One SGD step on a batch of {@code crop × crop} NHWC images and one-hot labels. */
    public StepResult step(float[] batchImages, float[] oneHotLabels, int batch, float rate) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(batch, crop, crop, 3), DataBuffers.of(batchImages, true, false));
                TFloat32 y =
                        TFloat32.tensorOf(Shape.of(batch, spec.classes()), DataBuffers.of(oneHotLabels, true, false));
                TFloat32 lr = TFloat32.scalarOf(rate);
                Result result = session.runner()
                        .feed(images, x)
                        .feed(labels, y)
                        .feed(learningRate, lr)
                        .addTarget(trainStep)
                        .fetch(loss)
                        .fetch(correct)
                        .run()) {
            return new StepResult(
                    ((TFloat32) result.get(0)).getFloat(), Math.round(((TFloat32) result.get(1)).getFloat()));
        }
    }

    /** Softmax rows for {@code views} NHWC images, batch norm in inference mode. */
    public float[][] classify(float[] nhwc, int views) {
        float[] flat = new float[views * spec.classes()];
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(views, crop, crop, 3), DataBuffers.of(nhwc, true, false));
                Result result = session.runner()
                        .feed(evaluationImages, x)
                        .fetch(evaluationProbabilities)
                        .run()) {
            ((TFloat32) result.get(0)).read(DataBuffers.of(flat, false, false));
        }
        float[][] rows = new float[views][spec.classes()];
        for (int v = 0; v < views; v++) {
            System.arraycopy(flat, v * spec.classes(), rows[v], 0, spec.classes());
        }
        return rows;
    }

    /** The current weights, e.g. to export as constants. */
    public ResNetWeights weights() {
        return weights.snapshot(session);
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }

    /**
     * What one step saw, before its update.
     *
     * @param loss    mean cross-entropy plus weight decay
     * @param correct images whose top-1 class was right
     */
    public record StepResult(float loss, int correct) {}
}
