package io.resnetstream.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.proto.framework.DataType;
import org.tensorflow.proto.framework.GraphDef;
import org.tensorflow.proto.framework.MetaGraphDef;
import org.tensorflow.proto.framework.NodeDef;
import org.tensorflow.proto.framework.SavedModel;
import org.tensorflow.proto.framework.SignatureDef;
import org.tensorflow.proto.framework.TensorInfo;
import org.tensorflow.proto.framework.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

import com.google.protobuf.CodedOutputStream;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;

/**
 * The ten views built into a SavedModel: beside its {@code serving_default} signature (float views → the network's
 * output, unchanged), one signature per crop scheme ({@link #key}) takes the images resized to S as they are,
 * {@code uint8 [n, H, W, 3]} (any H, W ≥ the crop; one size per call), and returns the views' mean probabilities
 * {@code [n, classes]} ({@link #PROBABILITIES}) and each view's top-1 {@code [n, views]} ({@link #VIEW_TOP1}): the
 * crops at {@link Preprocessor#cropBoxes}'s offsets, worked out in the graph from the input's shape, their flips,
 * the manifest's normalisation, the network, a softmax for logit outputs, the mean and the arg-max. A TensorFlow
 * Serving or Triton server can then take the 8-bit images too.
 *
 * <p>The network stays one copy. Its input placeholder becomes a {@code PlaceholderWithDefault} whose default is the
 * views: {@code serving_default} feeds it (TensorFlow then prunes the views away), the views signatures do not. Each
 * scheme has an 8-bit input of its own, defaulting to an empty batch, and the network runs on both schemes' views
 * concatenated, so a call through one signature runs that scheme's views only. The views are written into the
 * GraphDef beside the network's nodes, which are not changed; the variables and the function library stay as they
 * were, so the same rewrite serves our exports and foreign SavedModels (Keras, TF-Hub, TF1) alike
 * ({@link #wrap}).
 */
public final class ViewsSignatures {

    /** The views signatures' input: 8-bit RGB images of one size. */
    public static final String INPUT = "images";
    /** The views signatures' output: each image's mean probabilities over its views. */
    public static final String PROBABILITIES = "probabilities";
    /** The views signatures' output: each view's best class, in {@link Preprocessor#cropBoxes} order. */
    public static final String VIEW_TOP1 = "view_top1";

    /** The name scope of every node added; a graph that has one already is not wrapped again. */
    static final String SCOPE = "resnet_stream_views";

    private static final String SERVE_TAG = "serve";
    private static final String SERVING_DEFAULT = "serving_default";
    private static final String PREDICT_METHOD = "tensorflow/serving/predict";
    private static final String NETWORK_OUTPUT = "network_output";
    private static final String NORMALISED = "normalised";

    private ViewsSignatures() {}

    /** The signature key of a crop scheme's views, e.g. {@code views_ten_crop}. */
    public static String key(CropScheme scheme) {
        return "views_" + scheme.id().replace('-', '_');
    }

    /** Every scheme's signature key by the scheme's id, as a manifest lists them. */
    public static Map<String, String> keys() {
        Map<String, String> keys = new TreeMap<>();
        for (CropScheme scheme : CropScheme.values()) {
            keys.put(scheme.id(), key(scheme));
        }
        return keys;
    }

    /**
     * Adds the views signatures to the SavedModel in {@code dir} in place, for a network described by {@code manifest}
     * (its complete form: input and output names of {@code serving_default}, crop, normalisation, logits or not).
     */
    public static void addTo(Path dir, ModelManifest manifest, int classes) throws IOException {
        rewrite(dir, dir, manifest, classes);
    }

    private static void rewrite(Path from, Path to, ModelManifest manifest, int classes) throws IOException {
        SavedModel model;
        try (InputStream in = Files.newInputStream(from.resolve("saved_model.pb"))) {
            model = SavedModel.parseFrom(in);
        }
        writeDeterministically(withViews(model, manifest, classes), to.resolve("saved_model.pb"));
    }

    /**
     * Writes {@code source}'s SavedModel into the new directory {@code out} with the views signatures in front: the
     * variables, assets and labels copied as they are, the graph rewritten, and a manifest that lists the signatures
     * (and the new digest). {@code given} says what {@code source} has no manifest for, as in
     * {@link TensorFlowClassifier#load(Path, ModelManifest)}.
     *
     * @return the manifest written into {@code out}
     */
    public static ModelManifest wrap(Path source, ModelManifest given, Path out) throws IOException {
        ModelManifest complete;
        int classes;
        try (TensorFlowClassifier model = TensorFlowClassifier.load(source, given)) {
            complete = model.manifest();
            classes = model.labels().size();
        }
        if (complete.viewSignatures() != null) {
            throw new IllegalArgumentException(source + " has the views signatures already");
        }
        if (Files.exists(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(out + " exists and is not empty");
                }
            }
        }
        copyModelFiles(source, out);
        rewrite(source, out, complete, classes);
        ModelManifest wrapped = complete.withViewSignatures(keys()).withDigest(ModelDigest.of(out));
        wrapped.write(out.resolve(ModelManifest.FILE_NAME));
        return wrapped;
    }

    /** Everything but the graph (rewritten), the manifest (written anew) and TensorFlow's fingerprint of the graph. */
    private static void copyModelFiles(Path source, Path out) throws IOException {
        Path from = source.toRealPath();
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path path : walk.toList()) {
                Path relative = from.relativize(path);
                String name = relative.toString();
                if (name.equals("saved_model.pb")
                        || name.equals("fingerprint.pb")
                        || name.equals(ModelManifest.FILE_NAME)) {
                    continue;
                }
                Path target = out.resolve(name);
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** {@code model} with the views in front of its {@code serve} graph and a signature per scheme. */
    static SavedModel withViews(SavedModel model, ModelManifest manifest, int classes) {
        int index = serveGraph(model);
        MetaGraphDef meta = model.getMetaGraphs(index);
        SignatureDef serving = meta.getSignatureDefMap().get(SERVING_DEFAULT);
        if (serving == null) {
            throw new IllegalArgumentException("the SavedModel has no " + SERVING_DEFAULT + " signature");
        }
        for (String key : keys().values()) {
            if (meta.getSignatureDefMap().containsKey(key)) {
                throw new IllegalArgumentException("the SavedModel has a " + key + " signature already");
            }
        }
        TensorInfo input = serving.getInputsMap().get(manifest.inputName());
        TensorInfo output = serving.getOutputsMap().get(manifest.outputName());
        if (input == null || output == null) {
            throw new IllegalArgumentException(SERVING_DEFAULT + " has no input " + manifest.inputName()
                    + " or no output " + manifest.outputName());
        }
        if (input.getDtype() != DataType.DT_FLOAT || output.getDtype() != DataType.DT_FLOAT) {
            throw new IllegalArgumentException("the network must take and return float32, it takes " + input.getDtype()
                    + " and returns " + output.getDtype());
        }
        String inputNode = nodeOf(input.getName());
        GraphDef graph = meta.getGraphDef();
        GraphDef views = viewsGraph(manifest, classes);
        GraphDef.Builder merged = graph.toBuilder().clearNode();
        boolean found = false;
        for (NodeDef node : graph.getNodeList()) {
            if (node.getName().startsWith(SCOPE + "/")) {
                throw new IllegalArgumentException("the graph has a node " + node.getName() + " already");
            }
            if (node.getName().equals(inputNode)) {
                if (!node.getOp().equals("Placeholder")) {
                    throw new IllegalArgumentException("input " + manifest.inputName() + " is a " + node.getOp()
                            + ", not a placeholder the views could feed");
                }
                // same attributes (dtype, shape): fed as before, or defaulting to the views
                merged.addNode(node.toBuilder()
                        .setOp("PlaceholderWithDefault")
                        .clearInput()
                        .addInput(SCOPE + "/" + NORMALISED));
                found = true;
            } else {
                merged.addNode(node);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("the graph has no node " + inputNode);
        }
        String networkOutput = SCOPE + "/" + NETWORK_OUTPUT;
        String outputTensor = inputSyntax(output.getName());
        for (NodeDef node : views.getNodeList()) {
            if (node.getName().equals(networkOutput)) {
                continue; // the stand-in for the network's output, replaced by the real one below
            }
            NodeDef.Builder copy = node.toBuilder().clearInput();
            for (String in : node.getInputList()) {
                copy.addInput(in.equals(networkOutput) || in.equals(networkOutput + ":0") ? outputTensor : in);
            }
            merged.addNode(copy);
        }
        MetaGraphDef.Builder rewritten = meta.toBuilder().setGraphDef(merged);
        for (CropScheme scheme : CropScheme.values()) {
            rewritten.putSignatureDef(key(scheme), signature(scheme, classes));
        }
        return model.toBuilder().setMetaGraphs(index, rewritten).build();
    }

    private static int serveGraph(SavedModel model) {
        for (int i = 0; i < model.getMetaGraphsCount(); i++) {
            if (model.getMetaGraphs(i).getMetaInfoDef().getTagsList().equals(List.of(SERVE_TAG))) {
                return i;
            }
        }
        throw new IllegalArgumentException("the SavedModel has no graph tagged only '" + SERVE_TAG + "'");
    }

    /** {@code "op:0"} → {@code "op"}; an output of another index is not a placeholder's. */
    private static String nodeOf(String tensorName) {
        if (!tensorName.endsWith(":0")) {
            throw new IllegalArgumentException("input tensor " + tensorName + " is not an operation's first output");
        }
        return tensorName.substring(0, tensorName.length() - 2);
    }

    /** A NodeDef names an operation's first output by the operation alone. */
    private static String inputSyntax(String tensorName) {
        return tensorName.endsWith(":0") ? tensorName.substring(0, tensorName.length() - 2) : tensorName;
    }

    private static SignatureDef signature(CropScheme scheme, int classes) {
        String prefix = SCOPE + "/" + scheme.id().replace('-', '_') + "_";
        return SignatureDef.newBuilder()
                .setMethodName(PREDICT_METHOD)
                .putInputs(INPUT, tensor(prefix + INPUT, DataType.DT_UINT8, -1, -1, -1, 3))
                .putOutputs(PROBABILITIES, tensor(prefix + PROBABILITIES, DataType.DT_FLOAT, -1, classes))
                .putOutputs(VIEW_TOP1, tensor(prefix + VIEW_TOP1, DataType.DT_INT32, -1, scheme.views()))
                .build();
    }

    private static TensorInfo tensor(String node, DataType type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        return TensorInfo.newBuilder()
                .setName(node + ":0")
                .setDtype(type)
                .setTensorShape(shape)
                .build();
    }

    /**
     * The views' nodes, all under {@link #SCOPE}: per scheme an 8-bit input and, from the network's output (a
     * stand-in placeholder here), the mean probabilities and the views' top-1; between them, {@link #NORMALISED}, the
     * views the network takes.
     */
    private static GraphDef viewsGraph(ModelManifest manifest, int classes) {
        int crop = manifest.crop();
        Normalization normalization = Normalization.parse(manifest.normalization());
        TensorFlowRuntime.engine();
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph).withSubScope(SCOPE);
            Operand<TUint8> empty = tf.zeros(tf.constant(new int[] {0, crop, crop, 3}), TUint8.class);
            Shape anySize = Shape.of(-1, -1, -1, 3);
            Operand<TUint8> tenImages = tf.withName("ten_crop_" + INPUT).placeholderWithDefault(empty, anySize);
            Operand<TUint8> centreImages = tf.withName("center_crop_" + INPUT).placeholderWithDefault(empty, anySize);
            // cut the 8-bit images, then cast: the float tensor is the views' size, however large the image
            Operand<TUint8> cut = tf.concat(
                    List.of(
                            cut(tf, tenImages, crop, CropScheme.TEN_CROP),
                            cut(tf, centreImages, crop, CropScheme.CENTER_CROP)),
                    tf.constant(0));
            Operand<TFloat32> pixels = tf.dtypes.cast(cut, TFloat32.class);
            if (normalization.bgr()) {
                pixels = tf.reverse(pixels, tf.constant(new int[] {3}));
            }
            float[] multiplier = new float[3];
            float[] offset = new float[3];
            for (int c = 0; c < 3; c++) {
                multiplier[c] = normalization.multiplier(c);
                offset[c] = normalization.offset(c);
            }
            tf.withName(NORMALISED).math.add(tf.math.mul(pixels, tf.constant(multiplier)), tf.constant(offset));

            Operand<TFloat32> network =
                    tf.withName(NETWORK_OUTPUT).placeholder(TFloat32.class); // replaced by the network's output
            Operand<TFloat32> probabilities = manifest.outputIsLogits() ? tf.nn.softmax(network) : network;
            Operand<TInt32> tenRows = tf.math.mul(batch(tf, tenImages), tf.constant(CropScheme.TEN_CROP.views()));
            Operand<TInt32> zero = tf.constant(0);
            Operand<TInt32> all = tf.constant(-1);
            average(
                    tf,
                    tf.slice(probabilities, tf.stack(List.of(zero, zero)), tf.stack(List.of(tenRows, all))),
                    CropScheme.TEN_CROP,
                    classes);
            average(
                    tf,
                    tf.slice(probabilities, tf.stack(List.of(tenRows, zero)), tf.stack(List.of(all, all))),
                    CropScheme.CENTER_CROP,
                    classes);
            return graph.toGraphDef();
        }
    }

    private static Operand<TInt32> batch(Ops tf, Operand<TUint8> images) {
        return tf.gather(tf.shape(images), tf.constant(0), tf.constant(0));
    }

    /** One scheme's rows of the network's probabilities → the views' mean and each view's top-1, per image. */
    private static void average(Ops tf, Operand<TFloat32> rows, CropScheme scheme, int classes) {
        String prefix = scheme.id().replace('-', '_') + "_";
        Operand<TFloat32> byImage = tf.reshape(rows, tf.constant(new int[] {-1, scheme.views(), classes}));
        tf.withName(prefix + PROBABILITIES).math.mean(byImage, tf.constant(1));
        tf.withName(prefix + VIEW_TOP1).math.argMax(byImage, tf.constant(2), TInt32.class);
    }

    /**
     * The views of {@code n} images of one size, {@code [n, H, W, 3]} → {@code [n × views, C, C, 3]}, image by
     * image in {@link Preprocessor#cropBoxes} order: the corners and the centre (at floor((W − C) / 2),
     * floor((H − C) / 2)), then their mirror images.
     */
    private static Operand<TUint8> cut(Ops tf, Operand<TUint8> images, int crop, CropScheme scheme) {
        Operand<TInt32> shape = tf.shape(images);
        Operand<TInt32> height = tf.gather(shape, tf.constant(1), tf.constant(0));
        Operand<TInt32> width = tf.gather(shape, tf.constant(2), tf.constant(0));
        Operand<TInt32> side = tf.constant(crop);
        AssertThat fits = tf.assertThat(
                tf.math.logicalAnd(tf.math.greaterEqual(height, side), tf.math.greaterEqual(width, side)),
                List.of(
                        tf.constant(TString.scalarOf(
                                String.format(Locale.ROOT, "images must be at least %dx%d, got HxW", crop, crop))),
                        height,
                        width));
        Operand<TUint8> checked = tf.withControlDependencies(List.of(fits)).identity(images);
        Operand<TInt32> right = tf.math.sub(width, side);
        Operand<TInt32> bottom = tf.math.sub(height, side);
        Operand<TInt32> zero = tf.constant(0);
        Operand<TInt32> two = tf.constant(2);
        Operand<TUint8> centre = square(tf, checked, tf.math.floorDiv(right, two), tf.math.floorDiv(bottom, two), crop);
        if (scheme == CropScheme.CENTER_CROP) {
            return centre;
        }
        Operand<TUint8> five = tf.stack(
                List.of(
                        square(tf, checked, zero, zero, crop),
                        square(tf, checked, right, zero, crop),
                        square(tf, checked, zero, bottom, crop),
                        square(tf, checked, right, bottom, crop),
                        centre),
                org.tensorflow.op.core.Stack.axis(1L)); // [n, 5, C, C, 3]
        // the flips mirror the width axis
        Operand<TUint8> ten = tf.concat(List.of(five, tf.reverse(five, tf.constant(new int[] {3}))), tf.constant(1));
        return tf.reshape(ten, tf.constant(new int[] {-1, crop, crop, 3}));
    }

    private static Operand<TUint8> square(
            Ops tf, Operand<TUint8> images, Operand<TInt32> x, Operand<TInt32> y, int crop) {
        Operand<TInt32> zero = tf.constant(0);
        return tf.slice(images, tf.stack(List.of(zero, y, x, zero)), tf.constant(new int[] {-1, crop, crop, 3}));
    }

    /**
     * TensorFlow serialises each node's attribute map in hash order, different from one export to the next; written
     * with sorted maps, the same graph always gives the same bytes and so the same digest.
     */
    public static void writeDeterministically(SavedModel model, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.useDeterministicSerialization();
            model.writeTo(coded);
            coded.flush();
        }
    }
}
