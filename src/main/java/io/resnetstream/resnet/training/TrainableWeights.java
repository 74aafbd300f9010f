package io.resnetstream.resnet.training;

import java.util.LinkedHashMap;
import java.util.Map;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import io.resnetstream.resnet.ResNetWeights;
import io.resnetstream.resnet.ScopedNames;
import io.resnetstream.resnet.WeightSource;
import io.resnetstream.resnet.WeightTensor;

/**
 * Every weight a variable, created on first request and shared by every network built from this source (the
 * training and the evaluation graph). Networks read variables through {@code Identity}: ops applied straight to a
 * VariableV2 output have crashed the JVM.
 */
final class TrainableWeights implements WeightSource {

    private final Ops tf;
    private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
    private final Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
    private final Map<String, Placeholder<TFloat32>> initialValues = new LinkedHashMap<>();
    private final Map<String, Assign<TFloat32>> initializers = new LinkedHashMap<>();

    TrainableWeights(Ops tf) {
        this.tf = tf;
    }

    @Override
    public Operand<TFloat32> weight(String name, Shape shape) {
        return reads.computeIfAbsent(name, key -> {
            Ops scoped = ScopedNames.named(tf, key);
            Variable<TFloat32> variable = scoped.variable(shape, TFloat32.class);
            variables.put(key, variable);
            // placeholder + assign: an initial value embedded in the graph would copy every weight into the GraphDef
            Placeholder<TFloat32> initialValue = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
            initialValues.put(key, initialValue);
            initializers.put(key, tf.assign(variable, initialValue));
            return tf.identity(variable);
        });
    }

    /** The variables by weight name, in creation order. */
    Map<String, Variable<TFloat32>> variables() {
        return variables;
    }

    /** The Identity read the networks use, e.g. for weight decay. */
    Operand<TFloat32> read(String name) {
        return reads.get(name);
    }

    /** Assigns every variable its value in {@code initial}. */
    void initialize(Session session, ResNetWeights initial) {
        for (String name : variables.keySet()) {
            WeightTensor tensor = initial.get(name);
            try (TFloat32 value =
                    TFloat32.tensorOf(Shape.of(tensor.shape()), DataBuffers.of(tensor.values(), true, false))) {
                session.runner()
                        .feed(initialValues.get(name), value)
                        .addTarget(initializers.get(name))
                        .run();
            }
        }
    }

    /** The current values of every variable. */
    ResNetWeights snapshot(Session session) {
        Map<String, WeightTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Variable<TFloat32>> entry : variables.entrySet()) {
            long[] shape = entry.getValue().shape().asArray();
            WeightTensor tensor = WeightTensor.filled(shape, 0f);
            try (Result result =
                    session.runner().fetch(reads.get(entry.getKey())).run()) {
                ((TFloat32) result.get(0)).read(DataBuffers.of(tensor.values(), false, false));
            }
            tensors.put(entry.getKey(), tensor);
        }
        return new ResNetWeights(tensors);
    }
}
