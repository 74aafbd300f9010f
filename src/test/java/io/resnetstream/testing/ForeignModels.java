package io.resnetstream.testing;

import java.io.IOException;
import java.nio.file.Path;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** SavedModels as other tools write them: no manifest, no views signatures, a variable to restore. */
public final class ForeignModels {
    private ForeignModels() {}

    /**
     * Input × a variable holding 1, flattened: {@code [n, crop, crop, 3]} → {@code [n, crop × crop × 3]}, signature
     * {@code serving_default}, input {@code input_1}, output {@code pixels}.
     */
    public static void exportIdentityModel(Path out, int crop) throws IOException {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Operand<TFloat32> views =
                    tf.withName("input_1").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, crop, crop, 3)));
            Variable<TFloat32> one = tf.withName("one").variable(Shape.scalar(), TFloat32.class);
            Placeholder<TFloat32> initial = tf.placeholder(TFloat32.class);
            Operand<TFloat32> flat = tf.withName("pixels")
                    .reshape(tf.math.mul(views, tf.identity(one)), tf.constant(new int[] {-1, crop * crop * 3}));
            Signature signature = Signature.builder()
                    .key("serving_default")
                    .input("input_1", views)
                    .output("pixels", flat)
                    .build();
            try (Session session = new Session(graph);
                    TFloat32 value = TFloat32.tensorOf(Shape.scalar(), DataBuffers.of(new float[] {1f}, true, false))) {
                session.runner()
                        .feed(initial, value)
                        .addTarget(tf.assign(one, initial))
                        .run();
                SavedModelBundle.exporter(out.toString())
                        .withSession(session)
                        .withSignature(signature)
                        .export();
            }
        }
    }
}
