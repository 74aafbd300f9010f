package io.resnetstream.inference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import org.jboss.logging.Logger;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SymbolBlock;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;

import io.resnetstream.imaging.CropScheme;
import io.resnetstream.imaging.DecodedImage;
import io.resnetstream.imaging.Normalization;
import io.resnetstream.imaging.Preprocessor;

/**
 * A SavedModel classifier on DJL's TensorFlow engine, on GPU 0 when DJL sees one, else on the CPU.
 *
 * <p>{@link #classifyResized} makes the views in the engine, on the model's device, in front of the network: the
 * host hands over the resized 8-bit images (for ResNet-50 at S = 256 about 196 KB an image instead of 6 MB of float
 * views), and gets back each image's mean softmax and its views' top-1. A model with views signatures (our exports,
 * {@code wrap}ped foreign ones: {@link ViewsSignatures}) makes them in its own graph; for any other SavedModel the
 * same views are composed with eager ops in front of its {@code serving_default}, so no model has to be re-exported
 * or wrapped (docs/design.md, "Ten views in the engine").
 *
 * <p>Thread safety: {@link #classify} and {@link #close} are synchronized, so concurrent callers are safe but take
 * turns; one instance serves one stream thread at full speed (TensorFlow itself uses every core for one pass).
 * Each call allocates and frees its own native tensors; nothing native outlives the call but the model.
 */
public final class TensorFlowClassifier implements Classifier {

    private static final Logger LOG = Logger.getLogger(TensorFlowClassifier.class);
    private static final String DEFAULT_VERSION = "1";
    private static final String SERVING_DEFAULT = "serving_default";
    /** DJL's model option naming the SignatureDef to serve. */
    private static final String SIGNATURE_OPTION = "SignatureDefKey";

    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;
    private final ModelManifest manifest;
    private final List<String> labels;
    /** Where the model was loaded from, links resolved: its views signatures are loaded from there when first used. */
    private final Path realDir;
    /** The model's views signatures loaded so far (see {@link #viewsSignature}). */
    private final Map<CropScheme, LoadedSignature> signatures = new EnumMap<>(CropScheme.class);
    /** Schemes whose views signature failed to load: their views are composed instead. */
    private final Set<CropScheme> unusableSignatures = EnumSet.noneOf(CropScheme.class);

    private boolean closed;

    private record LoadedSignature(ZooModel<NDList, NDList> model, Predictor<NDList, NDList> predictor) {}

    private TensorFlowClassifier(
            ZooModel<NDList, NDList> model, ModelManifest manifest, List<String> labels, Path realDir) {
        this.model = model;
        this.predictor = model.newPredictor();
        this.manifest = manifest;
        this.labels = List.copyOf(labels);
        this.realDir = realDir;
    }

    /**
     * Loads the SavedModel in {@code modelDir} with the {@code manifest.json} beside it; without one, every
     * manifest field is discovered or defaulted as in {@link #load(Path, ModelManifest)}.
     */
    public static TensorFlowClassifier load(Path modelDir) throws IOException {
        Path manifestFile = modelDir.resolve(ModelManifest.FILE_NAME);
        ModelManifest given = Files.isRegularFile(manifestFile)
                ? ModelManifest.read(manifestFile)
                : new ModelManifest(null, null, null, null, 0, 0, null, null, false, null);
        return load(modelDir, given);
    }

    /**
     * Loads a SavedModel (signature {@code serving_default}, one input) with {@code manifest} instead of any
     * {@code manifest.json}; its null or zero fields are filled in:
     * input and output names from the signature (when it has just one of each), crop from the input's fixed
     * height and width, resize as crop·256/224, digest computed, name from the directory, version 1, labels from
     * {@code labels.txt} or {@code class_<i>}, normalisation {@code none} (with a warning: it must match the weights).
     */
    public static TensorFlowClassifier load(Path modelDir, ModelManifest manifest) throws IOException {
        Path realDir = modelDir.toRealPath();
        ZooModel<NDList, NDList> model = loadSignature(realDir, SERVING_DEFAULT);
        try {
            SymbolBlock block = signature(model.getBlock());
            ModelManifest complete = complete(modelDir, manifest, block);
            List<String> labels = readLabels(modelDir, complete, block);
            TensorFlowClassifier classifier = new TensorFlowClassifier(model, complete, labels, realDir);
            LOG.infof(
                    "Loaded model %s version %s (%d classes, %dx%d input) on %s",
                    complete.name(),
                    complete.version(),
                    labels.size(),
                    complete.crop(),
                    complete.crop(),
                    model.getNDManager().getDevice());
            return classifier;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The SavedModel in {@code dir} with one of its signatures: DJL's TensorFlow engine serves one SignatureDef per
     * loaded model ({@code optOption("SignatureDefKey", ...)}, read by its {@code TfModel}; the block runs that
     * signature's inputs and outputs and nothing else). A missing key only makes DJL warn and take another signature,
     * so callers check what they got.
     */
    private static ZooModel<NDList, NDList> loadSignature(Path dir, String signatureKey) throws IOException {
        TensorFlowRuntime.engine();
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(dir)
                .optEngine(TensorFlowRuntime.engineName())
                .optTranslator(new NoopTranslator())
                .optOption(SIGNATURE_OPTION, signatureKey)
                .build();
        try {
            return criteria.loadModel();
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IOException("cannot load a SavedModel from " + dir + ": " + e.getMessage(), e);
        }
    }

    private static SymbolBlock signature(Block block) {
        if (!(block instanceof SymbolBlock symbolBlock)) {
            throw new IllegalStateException("DJL loaded a " + block.getClass().getName() + ", not a SavedModel");
        }
        return symbolBlock;
    }

    private static ModelManifest complete(Path dir, ModelManifest given, SymbolBlock block) throws IOException {
        PairList<String, Shape> inputs = block.describeInput();
        PairList<String, Shape> outputs = block.describeOutput();
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("the serving signature must take one input, it takes " + inputs.keys());
        }
        String inputName = pick("input", given.inputName(), inputs);
        String outputName = pick("output", given.outputName(), outputs);
        Shape inputShape = inputs.get(inputName);
        if (inputShape.dimension() != 4 || inputShape.get(3) != 3) {
            throw new IllegalArgumentException(
                    "input " + inputName + " must be NHWC with 3 channels, it is " + inputShape);
        }
        int crop = given.crop() > 0 ? given.crop() : fixedSide(inputName, inputShape);
        if (inputShape.get(1) > 0 && (inputShape.get(1) != crop || inputShape.get(2) != crop)) {
            throw new IllegalArgumentException("crop " + crop + " does not fit input " + inputName + " " + inputShape);
        }
        String normalization = given.normalization();
        if (normalization == null) {
            LOG.warnf(
                    "No normalisation given for %s: using none; it must match what the weights were trained with", dir);
            normalization = "none";
        }
        return new ModelManifest(
                given.name() != null
                        ? given.name()
                        : dir.toAbsolutePath().normalize().getFileName().toString(),
                given.version() != null ? given.version() : DEFAULT_VERSION,
                given.digest() != null ? given.digest() : ModelDigest.of(dir),
                normalization,
                given.resize() > 0 ? given.resize() : Math.round(crop * 256f / 224f),
                crop,
                inputName,
                outputName,
                given.outputIsLogits(),
                given.labelsFile() != null ? given.labelsFile() : ModelManifest.DEFAULT_LABELS_FILE,
                given.viewSignatures());
    }

    private static String pick(String role, String given, PairList<String, Shape> available) {
        if (given != null) {
            if (!available.contains(given)) {
                throw new IllegalArgumentException(
                        "the signature has no " + role + " " + given + ", only " + available.keys());
            }
            return given;
        }
        if (available.size() != 1) {
            throw new IllegalArgumentException("name the " + role + " to use, the signature has " + available.keys());
        }
        return available.keys().get(0);
    }

    private static int fixedSide(String inputName, Shape shape) {
        if (shape.get(1) <= 0 || shape.get(1) != shape.get(2)) {
            throw new IllegalArgumentException(
                    "input " + inputName + " " + shape + " has no fixed square size: give the crop size");
        }
        return Math.toIntExact(shape.get(1));
    }

    private static List<String> readLabels(Path dir, ModelManifest manifest, SymbolBlock block) throws IOException {
        Shape outputShape = block.describeOutput().get(manifest.outputName());
        long classes = outputShape.dimension() == 2 ? outputShape.get(1) : -1;
        Path file = dir.resolve(manifest.labelsFile());
        List<String> labels;
        if (Files.isRegularFile(file)) {
            labels = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank())
                    .toList();
        } else if (classes > 0) {
            labels = IntStream.range(0, (int) classes)
                    .mapToObj(i -> "class_" + i)
                    .toList();
        } else {
            throw new IllegalArgumentException("output " + manifest.outputName() + " " + outputShape
                    + " does not say how many classes: provide " + file);
        }
        if (classes > 0 && labels.size() != classes) {
            throw new IllegalArgumentException(
                    file + " has " + labels.size() + " labels, the model " + classes + " classes");
        }
        return labels;
    }

    @Override
    public ModelManifest manifest() {
        return manifest;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public synchronized float[][] classify(float[] nhwc, int views) {
        if (closed) {
            throw new IllegalStateException("classifier " + manifest.name() + " is closed");
        }
        int crop = manifest.crop();
        int viewSize = crop * crop * 3;
        if (views < 1 || nhwc.length != (long) views * viewSize) {
            throw new IllegalArgumentException(views + " views of " + crop + "x" + crop + "x3 need "
                    + (long) views * viewSize + " floats, got " + nhwc.length);
        }
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDArray input = manager.create(nhwc, new Shape(views, crop, crop, 3));
            return toRows(forward(manager, input).toFloatArray(), views);
        }
    }

    /** The network's output for {@code input}, owned by {@code manager}. */
    private NDArray forward(NDManager manager, NDArray input) {
        input.setName(manifest.inputName());
        try {
            NDList outputs = predictor.predict(new NDList(input));
            outputs.attach(manager); // freed with the call's other tensors
            NDArray output = outputs.get(manifest.outputName());
            if (output == null) {
                throw new InferenceException("the model returned no " + manifest.outputName(), null);
            }
            return output;
        } catch (TranslateException e) {
            throw new InferenceException("forward pass of " + manifest.name() + " failed", e);
        }
    }

    /**
     * The views made in the engine. Images of one size go into the engine as one uint8 tensor {@code [n, H, W, 3]}
     * (a batch holds one such group per distinct resized size, so nothing is padded and each image's corner crops
     * are its own).
     *
     * <p>A model exported with views signatures ({@link ViewsSignatures}: our exports, and foreign models written
     * once by {@code wrap}) makes the views in its own graph: one call of the scheme's signature per size group
     * returns the views' mean and top-1. Other models (foreign SavedModels as they are), or settings that ask for
     * another normalisation than the one the signature was built with, get the same views composed in front of
     * {@code serving_default}: each group is cut into its crops by slicing, flipped by reversing the width axis, and
     * laid out image by image in {@link Preprocessor#cropBoxes} order; the groups' views are concatenated, cast and
     * normalised ({@code v × multiplier + offset} per channel, channels reversed first for a BGR preset) for one
     * forward pass; softmax (for logit outputs), the views' mean and each view's arg-max run in the engine too. Either
     * way only those come back.
     */
    @Override
    public synchronized List<ViewAverage> classifyResized(List<DecodedImage> resized, Preprocessor views) {
        if (closed) {
            throw new IllegalStateException("classifier " + manifest.name() + " is closed");
        }
        int crop = manifest.crop();
        if (views.cropSize() != crop) {
            throw new IllegalArgumentException(
                    "views of " + views.cropSize() + " pixels for a model that takes " + crop);
        }
        if (resized.isEmpty()) {
            return List.of();
        }
        // images by size, in order of first appearance; a group's images keep their batch order
        Map<List<Integer>, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < resized.size(); i++) {
            DecodedImage image = resized.get(i);
            if (image.width() < crop || image.height() < crop) {
                throw new IllegalArgumentException("image " + i + " is " + image.width() + "x" + image.height()
                        + ", smaller than the crop " + crop);
            }
            groups.computeIfAbsent(List.of(image.width(), image.height()), k -> new ArrayList<>())
                    .add(i);
        }
        Predictor<NDList, NDList> signature = viewsSignature(views);
        try (NDManager manager = model.getNDManager().newSubManager()) {
            return signature != null
                    ? throughSignature(signature, manager, resized, groups, views.views())
                    : composed(manager, resized, groups, views);
        }
    }

    /** Loads the model's views signature for {@code views}, if it has one to use, before the first batch. */
    @Override
    public synchronized void prepareViews(Preprocessor views) {
        if (!closed && views.cropSize() == manifest.crop()) {
            viewsSignature(views);
        }
    }

    /**
     * Whether {@link #classifyResized} with {@code views} runs the model's own views signature (else it composes the
     * views in front of {@code serving_default}): the model has one for the scheme, built with the normalisation
     * asked for, and it loads. The first call for a scheme loads it (as {@link #prepareViews} does).
     */
    public synchronized boolean viewsInSignature(Preprocessor views) {
        return views.cropSize() == manifest.crop() && viewsSignature(views) != null;
    }

    /**
     * The predictor of the model's views signature for {@code views}, loaded on first use; null when there is none to
     * use. The signature is a second load of the same SavedModel (its graph and weights in memory twice): DJL 0.28
     * binds one SignatureDef to a loaded model and keeps the TensorFlow session to itself, so the two signatures
     * cannot share one session without reaching into DJL's internals. Loading it only for a scheme that is used
     * ({@link #prepareViews}, or the first batch) keeps the second copy away from a service that makes its views on
     * the host. The files must still be the ones the
     * manifest's digest describes (a model directory re-pointed since is not mixed in): otherwise the views are
     * composed.
     */
    private Predictor<NDList, NDList> viewsSignature(Preprocessor views) {
        Map<String, String> keys = manifest.viewSignatures();
        CropScheme scheme = views.scheme();
        if (keys == null
                || !keys.containsKey(scheme.id())
                || !views.normalization().id().equalsIgnoreCase(manifest.normalization())
                || unusableSignatures.contains(scheme)) {
            return null;
        }
        LoadedSignature loaded = signatures.get(scheme);
        if (loaded == null) {
            String key = keys.get(scheme.id());
            try {
                loaded = loadViewsSignature(key);
            } catch (IOException | RuntimeException e) {
                LOG.warnf(
                        "Model %s: cannot use its views signature %s (%s); composing the views instead",
                        manifest.name(), key, e.getMessage());
                unusableSignatures.add(scheme);
                return null;
            }
            signatures.put(scheme, loaded);
            LOG.infof("Model %s: %s views made by its signature %s", manifest.name(), scheme.id(), key);
        }
        return loaded.predictor();
    }

    private LoadedSignature loadViewsSignature(String key) throws IOException {
        String digest = ModelDigest.of(realDir);
        if (!digest.equals(manifest.digest())) {
            throw new IOException("the files in " + realDir + " are not the ones loaded (digest " + digest + ")");
        }
        ZooModel<NDList, NDList> views = loadSignature(realDir, key);
        try {
            SymbolBlock block = signature(views.getBlock());
            if (!block.describeInput().keys().equals(List.of(ViewsSignatures.INPUT))
                    || !block.describeOutput().contains(ViewsSignatures.PROBABILITIES)
                    || !block.describeOutput().contains(ViewsSignatures.VIEW_TOP1)) {
                throw new IllegalArgumentException(
                        "signature " + key + " takes " + block.describeInput().keys() + " and returns "
                                + block.describeOutput().keys());
            }
            return new LoadedSignature(views, views.newPredictor());
        } catch (RuntimeException e) {
            views.close();
            throw e;
        }
    }

    /** One call of the views signature per size group; each image's results put back at its place in the batch. */
    private List<ViewAverage> throughSignature(
            Predictor<NDList, NDList> signature,
            NDManager manager,
            List<DecodedImage> resized,
            Map<List<Integer>, List<Integer>> groups,
            int perImage) {
        int classes = labels.size();
        ViewAverage[] out = new ViewAverage[resized.size()];
        for (List<Integer> members : groups.values()) {
            NDArray rgb = pixels(manager, resized, members);
            rgb.setName(ViewsSignatures.INPUT);
            NDList outputs;
            try {
                outputs = signature.predict(new NDList(rgb));
            } catch (TranslateException e) {
                throw new InferenceException("views signature of " + manifest.name() + " failed", e);
            }
            outputs.attach(manager); // freed with the call's other tensors
            NDArray mean = outputs.get(ViewsSignatures.PROBABILITIES);
            NDArray top1 = outputs.get(ViewsSignatures.VIEW_TOP1);
            int n = members.size();
            if (mean == null
                    || top1 == null
                    || !mean.getShape().equals(new Shape(n, classes))
                    || !top1.getShape().equals(new Shape(n, perImage))) {
                throw new InferenceException(
                        "expected " + n + "x" + classes + " probabilities and " + n + "x" + perImage
                                + " view classes, got " + (mean == null ? null : mean.getShape()) + " and "
                                + (top1 == null ? null : top1.getShape()),
                        null);
            }
            float[] means = mean.toFloatArray();
            int[] tops = top1.toType(DataType.INT32, false).toIntArray();
            for (int k = 0; k < n; k++) {
                out[members.get(k)] = new ViewAverage(
                        Arrays.copyOfRange(means, k * classes, (k + 1) * classes),
                        Arrays.copyOfRange(tops, k * perImage, (k + 1) * perImage));
            }
        }
        return List.of(out);
    }

    /** The views composed in front of {@code serving_default}, one forward pass for all groups. */
    private List<ViewAverage> composed(
            NDManager manager,
            List<DecodedImage> resized,
            Map<List<Integer>, List<Integer>> groups,
            Preprocessor views) {
        int crop = manifest.crop();
        int perImage = views.views();
        int classes = labels.size();
        int[] order = new int[resized.size()];
        Normalization normalization = views.normalization();
        NDArray multiplier = manager.create(
                new float[] {normalization.multiplier(0), normalization.multiplier(1), normalization.multiplier(2)});
        NDArray offset =
                manager.create(new float[] {normalization.offset(0), normalization.offset(1), normalization.offset(2)});
        NDList parts = new NDList(groups.size());
        int next = 0;
        for (Map.Entry<List<Integer>, List<Integer>> group : groups.entrySet()) {
            int width = group.getKey().get(0);
            int height = group.getKey().get(1);
            List<Integer> members = group.getValue();
            for (int i : members) {
                order[next++] = i;
            }
            parts.add(cut(pixels(manager, resized, members), width, height, crop, views.scheme()));
        }
        // cut first, then cast: the engine's float tensor is the views' size, as on the host, however long the image
        NDArray cut = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
        NDArray input = cut.toType(DataType.FLOAT32, false);
        if (normalization.bgr()) {
            input = input.flip(3);
        }
        NDArray output = forward(manager, input.mul(multiplier).add(offset));
        if (output.getShape().size() != (long) resized.size() * perImage * classes) {
            throw new InferenceException(
                    "expected " + resized.size() * perImage + "x" + classes + " outputs, got " + output.getShape(),
                    null);
        }
        NDArray probabilities = manifest.outputIsLogits() ? output.softmax(1) : output;
        NDArray byImage = probabilities.reshape(resized.size(), perImage, classes);
        float[] means = byImage.mean(new int[] {1}).toFloatArray();
        int[] top1 = byImage.argMax(2).toType(DataType.INT32, false).toIntArray();
        ViewAverage[] out = new ViewAverage[resized.size()];
        for (int k = 0; k < order.length; k++) {
            out[order[k]] = new ViewAverage(
                    Arrays.copyOfRange(means, k * classes, (k + 1) * classes),
                    Arrays.copyOfRange(top1, k * perImage, (k + 1) * perImage));
        }
        return List.of(out);
    }

    /** The images {@code members} of {@code resized}, all of one size, as one uint8 tensor {@code [n, H, W, 3]}. */
    private static NDArray pixels(NDManager manager, List<DecodedImage> resized, List<Integer> members) {
        DecodedImage first = resized.get(members.get(0));
        int width = first.width();
        int height = first.height();
        ByteBuffer pixels = ByteBuffer.allocateDirect(Math.multiplyExact(members.size(), width * height * 3));
        for (int i : members) {
            pixels.put(resized.get(i).rgb());
        }
        pixels.flip();
        return manager.create(pixels, new Shape(members.size(), height, width, 3), DataType.UINT8);
    }

    /**
     * The views of {@code n} images of one size, {@code [n, H, W, 3]} → {@code [n × views, C, C, 3]} (any element
     * type), image by image:
     * the corners and the centre of the resized image (not of a centre square), then their mirror images.
     */
    private static NDArray cut(NDArray images, int width, int height, int crop, CropScheme scheme) {
        int right = width - crop;
        int bottom = height - crop;
        NDArray centre = square(images, right / 2, bottom / 2, crop);
        if (scheme == CropScheme.CENTER_CROP) {
            return centre;
        }
        NDArray five = NDArrays.stack(
                new NDList(
                        square(images, 0, 0, crop),
                        square(images, right, 0, crop),
                        square(images, 0, bottom, crop),
                        square(images, right, bottom, crop),
                        centre),
                1); // [n, 5, C, C, 3]
        NDArray ten = NDArrays.concat(new NDList(five, five.flip(3)), 1); // the flips mirror the width axis
        long n = images.getShape().get(0);
        return ten.reshape(n * scheme.views(), crop, crop, 3);
    }

    private static NDArray square(NDArray images, int x, int y, int crop) {
        return images.get(new NDIndex(":, {}:{}, {}:{}, :", y, y + crop, x, x + crop));
    }

    private float[][] toRows(float[] flat, int views) {
        int classes = labels.size();
        if (flat.length != views * classes) {
            throw new InferenceException("expected " + views + "x" + classes + " outputs, got " + flat.length, null);
        }
        float[][] rows = new float[views][];
        for (int v = 0; v < views; v++) {
            rows[v] = new float[classes];
            System.arraycopy(flat, v * classes, rows[v], 0, classes);
            if (manifest.outputIsLogits()) {
                Softmax.inPlace(rows[v]);
            }
        }
        return rows;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            for (LoadedSignature views : signatures.values()) {
                views.predictor().close();
                views.model().close();
            }
            predictor.close();
            model.close();
        }
    }
}
