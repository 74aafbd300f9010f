package io.resnetstream.inference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.framework.GraphDef;
import org.tensorflow.proto.framework.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;
import io.resnetstream.testing.ForeignModels;
import io.resnetstream.testing.ViewChecks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The views signatures made by {@link ViewsSignatures#wrap} give what the composed views give (eager ops in front of
 * {@code serving_default}) and what the host's views give, within float rounding, for both schemes, every preset
 * (RGB and BGR), square and non-square sizes in one batch, probabilities and logits.
 *
 * <p>The foreign model is an "identity network" with a variable (a TF1-style SavedModel: weights in
 * {@code variables/}): its output is its input view flattened, times a weight of 1 kept in a variable, so the mean
 * the signature returns is the mean of the views themselves: a crop at the wrong offset, a flip on the wrong axis, a
 * wrong channel order or normalisation shows up as a difference.
 */
class ViewsSignaturesTest {

    private static final int CROP = 8;

    @TempDir
    static Path dir;

    private static TensorFlowClassifier foreign;
    private static final Map<Normalization, TensorFlowClassifier> WRAPPED = new EnumMap<>(Normalization.class);
    private static TensorFlowClassifier wrappedLogits;
    private static TensorFlowClassifier foreignLogits;

    @BeforeAll
    static void exportAndWrap() throws IOException {
        TensorFlowRuntime.engine();
        Path source = dir.resolve("identity");
        exportIdentityModel(source);
        foreign = TensorFlowClassifier.load(source, manifest("none", false));
        for (Normalization normalization : Normalization.values()) {
            Path out = dir.resolve("wrapped-" + normalization.id());
            ViewsSignatures.wrap(source, manifest(normalization.id(), false), out);
            WRAPPED.put(normalization, TensorFlowClassifier.load(out));
        }
        ViewsSignatures.wrap(source, manifest("tf", true), dir.resolve("wrapped-logits"));
        wrappedLogits = TensorFlowClassifier.load(dir.resolve("wrapped-logits"));
        foreignLogits = TensorFlowClassifier.load(source, manifest("tf", true));
    }

    @AfterAll
    static void close() {
        foreign.close();
        foreignLogits.close();
        wrappedLogits.close();
        WRAPPED.values().forEach(TensorFlowClassifier::close);
    }

    private static ModelManifest manifest(String normalization, boolean logits) {
        return new ModelManifest("identity", "1", null, normalization, 0, 0, null, null, logits, null);
    }

    /** Input × a variable holding 1, flattened: {@code [n, 8, 8, 3]} → {@code [n, 192]}. */
    private static void exportIdentityModel(Path out) throws IOException {
        ForeignModels.exportIdentityModel(out, CROP);
    }

    /**
     * Laid out like a Keras export: the network is a function in the graph's library, called by a
     * {@code StatefulPartitionedCall} from the placeholder {@code serving_default_input_1}; here it is the pixels
     * times two, flattened.
     */
    private static void exportFunctionModel(Path out) throws IOException {
        try (ConcreteFunction network = ConcreteFunction.create(tf -> {
                    Placeholder<TFloat32> views =
                            tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, CROP, CROP, 3)));
                    Operand<TFloat32> flat = tf.reshape(
                            tf.math.mul(views, tf.constant(2f)), tf.constant(new int[] {-1, CROP * CROP * 3}));
                    return Signature.builder()
                            .input("input_1", views)
                            .output("output_0", flat)
                            .build();
                });
                Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            graph.attachFunction(network);
            Operand<TFloat32> input = tf.withName("serving_default_input_1")
                    .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, CROP, CROP, 3)));
            Operand<?> output = network.call(tf, Map.of("input_1", input)).get("output_0");
            Signature signature = Signature.builder()
                    .key("serving_default")
                    .input("input_1", input)
                    .output("output_0", output)
                    .build();
            try (Session session = new Session(graph)) {
                SavedModelBundle.exporter(out.toString())
                        .withSession(session)
                        .withSignature(signature)
                        .export();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CropScheme.class)
    void aNetworkInTheFunctionLibraryIsWrappedToo(CropScheme scheme) throws IOException {
        Path source = dir.resolve("function-" + scheme.id());
        exportFunctionModel(source);
        ViewsSignatures.wrap(source, manifest("caffe", false), dir.resolve("function-wrapped-" + scheme.id()));
        Preprocessor views = new Preprocessor(CROP, CROP, scheme, Normalization.CAFFE);
        try (TensorFlowClassifier composed = TensorFlowClassifier.load(source, manifest("caffe", false));
                TensorFlowClassifier wrapped =
                        TensorFlowClassifier.load(dir.resolve("function-wrapped-" + scheme.id()))) {
            assertThat(wrapped.manifest().inputName()).isEqualTo("input_1");
            assertSameAsComposedAndHost(wrapped, composed, views);
        }
        GraphDef graph;
        try (InputStream in = Files.newInputStream(
                dir.resolve("function-wrapped-" + scheme.id()).resolve("saved_model.pb"))) {
            graph = SavedModel.parseFrom(in).getMetaGraphs(0).getGraphDef();
        }
        assertThat(graph.getLibrary().getFunctionCount()).isEqualTo(1);
        assertThat(graph.getNodeList()).anyMatch(node -> node.getOp().endsWith("PartitionedCall"));
    }

    /** Sizes in an order that mixes groups: square, wide, tall, one exactly the crop; the smallest odd margins. */
    private static List<DecodedImage> mixedSizes(long seed) {
        return ViewChecks.randomImages(
                seed, new int[][] {{8, 8}, {10, 13}, {17, 9}, {10, 13}, {30, 11}, {8, 8}, {9, 25}, {17, 9}, {12, 12}});
    }

    @ParameterizedTest
    @EnumSource(Normalization.class)
    void tenCropSignatureGivesTheComposedAndTheHostsViews(Normalization normalization) {
        Preprocessor views = new Preprocessor(CROP, CROP, CropScheme.TEN_CROP, normalization);
        assertSameAsComposedAndHost(WRAPPED.get(normalization), foreign, views);
    }

    @ParameterizedTest
    @EnumSource(Normalization.class)
    void centreCropSignatureGivesTheComposedAndTheHostsView(Normalization normalization) {
        Preprocessor views = new Preprocessor(CROP, CROP, CropScheme.CENTER_CROP, normalization);
        assertSameAsComposedAndHost(WRAPPED.get(normalization), foreign, views);
    }

    @ParameterizedTest
    @EnumSource(CropScheme.class)
    void logitOutputsGetTheirSoftmaxInTheSignature(CropScheme scheme) {
        Preprocessor views = new Preprocessor(CROP, CROP, scheme, Normalization.TF);
        assertSameAsComposedAndHost(wrappedLogits, foreignLogits, views);
    }

    @Test
    void manifestListsTheSignaturesAndTheNewDigest() throws IOException {
        Path out = dir.resolve("wrapped-caffe");
        ModelManifest written = ModelManifest.read(out.resolve(ModelManifest.FILE_NAME));
        assertThat(written.viewSignatures())
                .containsEntry("ten-crop", "views_ten_crop")
                .containsEntry("center-crop", "views_center_crop")
                .hasSize(2);
        assertThat(written.digest())
                .isEqualTo(ModelDigest.of(out))
                .isNotEqualTo(foreign.manifest().digest());
        assertThat(written.normalization()).isEqualTo("caffe");
        assertThat(written.crop()).isEqualTo(CROP);
        assertThat(written.inputName()).isEqualTo("input_1");
        // the weights are the source's, copied as they are
        assertThat(out.resolve("variables")).isDirectory();
        assertThat(WRAPPED.get(Normalization.CAFFE).manifest()).isEqualTo(written);
    }

    @Test
    void servingDefaultIsUnchanged() {
        float[] views = new float[3 * CROP * CROP * 3];
        Random random = new Random(3);
        for (int i = 0; i < views.length; i++) {
            views[i] = random.nextFloat() * 255;
        }
        float[][] expected = foreign.classify(views, 3);
        float[][] actual = WRAPPED.get(Normalization.CAFFE).classify(views, 3);
        for (int v = 0; v < 3; v++) {
            assertThat(actual[v]).containsExactly(expected[v]);
        }
    }

    @Test
    void anotherNormalisationThanTheSignaturesIsComposed() {
        TensorFlowClassifier torch = WRAPPED.get(Normalization.TORCH);
        Preprocessor caffe = new Preprocessor(CROP, CROP, CropScheme.TEN_CROP, Normalization.CAFFE);
        assertThat(torch.viewsInSignature(caffe)).isFalse();
        assertThat(torch.viewsInSignature(new Preprocessor(CROP, CROP, CropScheme.TEN_CROP, Normalization.TORCH)))
                .isTrue();
        ViewChecks.assertSameAverages(
                torch.classifyResized(mixedSizes(5), caffe), foreign.classifyResized(mixedSizes(5), caffe), "caffe");
    }

    @Test
    void aModelWithoutTheSignaturesComposesItsViews() {
        Preprocessor views = new Preprocessor(CROP, CROP, CropScheme.TEN_CROP, Normalization.NONE);
        assertThat(foreign.manifest().viewSignatures()).isNull();
        assertThat(foreign.viewsInSignature(views)).isFalse();
        assertThat(foreign.classifyResized(mixedSizes(1), views))
                .hasSize(mixedSizes(1).size());
    }

    @Test
    void wrapRefusesAWrappedModelAndAFullDirectory() throws IOException {
        Path wrapped = dir.resolve("wrapped-none");
        assertThatThrownBy(() -> ViewsSignatures.wrap(
                        wrapped, ModelManifest.read(wrapped.resolve(ModelManifest.FILE_NAME)), dir.resolve("again")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already");
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("something"), "x");
        assertThatThrownBy(() -> ViewsSignatures.wrap(dir.resolve("identity"), manifest("none", false), full))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not empty");
    }

    /** Called directly, as TensorFlow Serving would: an image smaller than the crop fails with the graph's message. */
    @Test
    void theGraphRefusesAnImageSmallerThanTheCrop() {
        try (SavedModelBundle bundle =
                        SavedModelBundle.load(dir.resolve("wrapped-none").toString(), "serve");
                TUint8 small = TUint8.tensorOf(Shape.of(1, 7, 20, 3))) {
            assertThatThrownBy(() -> bundle.function(ViewsSignatures.key(CropScheme.TEN_CROP))
                            .call(Map.of(ViewsSignatures.INPUT, small)))
                    .hasMessageContaining("images must be at least 8x8");
        }
    }

    private static void assertSameAsComposedAndHost(
            TensorFlowClassifier wrapped, TensorFlowClassifier composedModel, Preprocessor views) {
        assertThat(wrapped.viewsInSignature(views)).isTrue();
        assertThat(composedModel.viewsInSignature(views)).isFalse();
        List<DecodedImage> images = mixedSizes(42);
        List<ViewAverage> signature = wrapped.classifyResized(images, views);
        List<ViewAverage> composed = composedModel.classifyResized(images, views);
        List<ViewAverage> host = ViewChecks.viewsOnTheHost(composedModel).classifyResized(images, views);
        assertThat(signature).hasSameSizeAs(images);
        ViewChecks.assertSameAverages(signature, composed, "signature vs composed");
        ViewChecks.assertSameAverages(signature, host, "signature vs host");
        for (int i = 0; i < images.size(); i++) {
            assertThat(signature.get(i).viewTop1()).hasSize(views.views());
            assertThat(signature.get(i).viewTop1())
                    .as("image %d's view classes", i)
                    .containsExactly(composed.get(i).viewTop1());
        }
    }
}
