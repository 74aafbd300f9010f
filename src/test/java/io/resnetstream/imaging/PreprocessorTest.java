package io.resnetstream.imaging;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.resnetstream.testing.TestImages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PreprocessorTest {

    private final Preprocessor tenCrop = new Preprocessor(256, 224, CropScheme.TEN_CROP, Normalization.NONE);

    /** Corners at 0 and the far margin, the centre at floor(margin / 2), then the same five flipped. */
    @ParameterizedTest(name = "{0}x{1}: margins {2}, {3}; centre {4}, {5}")
    @CsvSource({
        "340, 256, 116, 32, 58, 16", // landscape
        "256, 341, 32, 117, 16, 58", // portrait, odd margin: floor(117 / 2)
        "256, 256, 32, 32, 16, 16", // square
    })
    void tenCropBoxesAreCornersCentreThenTheirFlips(
            int width, int height, int right, int bottom, int centreX, int centreY) {
        List<CropBox> expected = new java.util.ArrayList<>();
        for (boolean flipped : new boolean[] {false, true}) {
            expected.add(new CropBox(0, 0, 224, flipped));
            expected.add(new CropBox(right, 0, 224, flipped));
            expected.add(new CropBox(0, bottom, 224, flipped));
            expected.add(new CropBox(right, bottom, 224, flipped));
            expected.add(new CropBox(centreX, centreY, 224, flipped));
        }

        assertThat(tenCrop.cropBoxes(width, height)).containsExactlyElementsOf(expected);
    }

    @Test
    void centreCropIsTheCentreViewOnly() {
        Preprocessor centre = new Preprocessor(256, 224, CropScheme.CENTER_CROP, Normalization.CAFFE);

        assertThat(centre.cropBoxes(340, 256)).containsExactly(new CropBox(58, 16, 224, false));
        assertThat(centre.views()).isEqualTo(1);
        assertThat(centre.floatsPerImage()).isEqualTo(224 * 224 * 3);
        assertThat(tenCrop.views()).isEqualTo(10);
        assertThat(tenCrop.floatsPerImage()).isEqualTo(10 * 224 * 224 * 3);
    }

    @Test
    void cropLargerThanTheImageIsRefused() {
        assertThatThrownBy(() -> new Preprocessor(200, 224, CropScheme.TEN_CROP, Normalization.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tenCrop.cropBoxes(223, 400)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Preprocessor(224, 224, CropScheme.TEN_CROP, Normalization.NONE).cropBoxes(224, 224))
                .allMatch(box -> box.x() == 0 && box.y() == 0);
    }

    /**
     * Every output pixel of every view, for an image already at S (so no resampling), must be the source
     * pixel its box says: the view order, the corner and centre offsets and the flips (output column i
     * of a flipped view is crop column C - 1 - i).
     */
    @ParameterizedTest
    @CsvSource({"340,256", "256,300", "256,256"})
    void everyViewPixelComesFromItsBox(int width, int height) {
        DecodedImage image = coordinateImage(width, height);
        float[] out = new float[tenCrop.floatsPerImage()];

        tenCrop.writeViews(image, out, 0);

        List<CropBox> boxes = tenCrop.cropBoxes(width, height);
        int crop = 224;
        for (int view = 0; view < 10; view++) {
            CropBox box = boxes.get(view);
            for (int y = 0; y < crop; y++) {
                for (int x = 0; x < crop; x++) {
                    int o = ((view * crop + y) * crop + x) * 3;
                    int sourceX = box.x() + (box.flipped() ? crop - 1 - x : x);
                    int sourceY = box.y() + y;
                    assertThat(decodeX(out, o))
                            .as("view %d x at %d,%d", view, x, y)
                            .isEqualTo(sourceX);
                    assertThat(decodeY(out, o))
                            .as("view %d y at %d,%d", view, x, y)
                            .isEqualTo(sourceY);
                }
            }
        }
    }

    @Test
    void flippedViewMirrorsItsUnflippedTwin() {
        DecodedImage image = coordinateImage(340, 256);
        float[] out = new float[tenCrop.floatsPerImage()];
        tenCrop.writeViews(image, out, 0);
        int crop = 224;
        int perView = crop * crop * 3;

        for (int view = 0; view < 5; view++) {
            for (int y = 0; y < crop; y += 37) {
                for (int x = 0; x < crop; x++) {
                    int plain = view * perView + (y * crop + x) * 3;
                    int mirrored = (view + 5) * perView + (y * crop + (crop - 1 - x)) * 3;
                    assertThat(Arrays.copyOfRange(out, mirrored, mirrored + 3))
                            .containsExactly(Arrays.copyOfRange(out, plain, plain + 3));
                }
            }
        }
    }

    @Test
    void writesOnlyItsOwnSliceOfTheBatch() {
        Preprocessor small = new Preprocessor(4, 2, CropScheme.TEN_CROP, Normalization.NONE);
        DecodedImage image = uniform(4, 4, 9, 9, 9);
        float[] batch = new float[small.floatsPerImage() * 3];
        Arrays.fill(batch, -1);

        small.writeViews(image, batch, small.floatsPerImage());

        assertThat(Arrays.copyOfRange(batch, 0, small.floatsPerImage())).containsOnly(-1f);
        assertThat(Arrays.copyOfRange(batch, small.floatsPerImage(), 2 * small.floatsPerImage()))
                .containsOnly(9f);
        assertThat(Arrays.copyOfRange(batch, 2 * small.floatsPerImage(), batch.length))
                .containsOnly(-1f);
        assertThatThrownBy(() -> small.writeViews(image, batch, 2 * small.floatsPerImage() + 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void caffeIsBgrMinusTheImageNetMean() {
        assertThat(centrePixel(Normalization.CAFFE, 10, 20, 30))
                .containsExactly(new float[] {30 - 103.939f, 20 - 116.779f, 10 - 123.68f}, within(1e-4f));
    }

    @Test
    void torchIsRgbScaledThenStandardised() {
        assertThat(centrePixel(Normalization.TORCH, 10, 20, 30))
                .containsExactly(
                        new float[] {
                            (10 / 255f - 0.485f) / 0.229f, (20 / 255f - 0.456f) / 0.224f, (30 / 255f - 0.406f) / 0.225f
                        },
                        within(1e-5f));
        assertThat(centrePixel(Normalization.TORCH, 255, 0, 128))
                .containsExactly(
                        new float[] {(1 - 0.485f) / 0.229f, -0.456f / 0.224f, (128 / 255f - 0.406f) / 0.225f},
                        within(1e-5f));
    }

    @Test
    void tfScalesRgbToMinusOneToOne() {
        assertThat(centrePixel(Normalization.TF, 0, 255, 51))
                .containsExactly(new float[] {-1f, 1f, 51 / 127.5f - 1}, within(1e-6f));
    }

    @Test
    void noneKeepsRgbAsFloats() {
        assertThat(centrePixel(Normalization.NONE, 10, 20, 30)).containsExactly(10f, 20f, 30f);
    }

    @ParameterizedTest
    @CsvSource({
        "640,480,341,256", // landscape shrink: 640 * 256 / 480 = 341.33
        "480,640,256,341", // portrait shrink
        "500,333,384,256", // 384.38 rounds down
        "300,200,384,256", // enlarge: 384 exactly
        "100,150,256,384",
        "3,2,384,256",
        "256,1000,256,1000", // already at S: untouched
    })
    void resizesTheShorterSideToS(int width, int height, int expectedWidth, int expectedHeight) {
        DecodedImage resized = tenCrop.resizeShorterSide(uniform(width, height, 1, 2, 3));

        assertThat(resized.width()).isEqualTo(expectedWidth);
        assertThat(resized.height()).isEqualTo(expectedHeight);
        assertThat(resized.rgb()).hasSize(expectedWidth * expectedHeight * 3);
    }

    @Test
    void roundsAHalfPixelUp() {
        Preprocessor s3 = new Preprocessor(3, 3, CropScheme.CENTER_CROP, Normalization.NONE);

        DecodedImage resized = s3.resizeShorterSide(uniform(6, 2, 0, 0, 0)); // 6 * 3 / 2 = 9 exactly
        DecodedImage half = s3.resizeShorterSide(uniform(5, 2, 0, 0, 0)); // 5 * 3 / 2 = 7.5

        assertThat(resized.width()).isEqualTo(9);
        assertThat(half.width()).isEqualTo(8);
    }

    @Test
    void imageAlreadyAtSKeepsItsPixels() {
        DecodedImage image = coordinateImage(256, 300);

        assertThat(tenCrop.resizeShorterSide(image)).isSameAs(image);
    }

    @Test
    void resizingKeepsUniformColourAndTheChannelOrder() {
        DecodedImage shrunk = tenCrop.resizeShorterSide(uniform(640, 480, 200, 100, 50));
        DecodedImage enlarged = tenCrop.resizeShorterSide(uniform(64, 48, 200, 100, 50));

        for (DecodedImage resized : List.of(shrunk, enlarged)) {
            assertThat(TestImages.rgbAt(resized, 0, 0)).isEqualTo(0xC86432);
            assertThat(TestImages.rgbAt(resized, resized.width() - 1, resized.height() - 1))
                    .isEqualTo(0xC86432);
        }
    }

    @Test
    void shrinkingAveragesRatherThanSkips() {
        // alternate black and white columns, halved: area interpolation gives mid grey everywhere
        DecodedImage stripes = new DecodedImage(8, 4, new byte[8 * 4 * 3]);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x += 2) {
                Arrays.fill(stripes.rgb(), (y * 8 + x) * 3, (y * 8 + x) * 3 + 3, (byte) 255);
            }
        }

        DecodedImage halved =
                new Preprocessor(2, 2, CropScheme.CENTER_CROP, Normalization.NONE).resizeShorterSide(stripes);

        assertThat(halved.width()).isEqualTo(4);
        for (byte value : halved.rgb()) {
            assertThat(value & 0xFF).isBetween(127, 128);
        }
    }

    @Test
    void writesViewsConcurrentlyWithIdenticalResults() throws Exception {
        Preprocessor caffe = new Preprocessor(256, 224, CropScheme.TEN_CROP, Normalization.CAFFE);
        DecodedImage image = coordinateImage(400, 300);
        float[] expected = new float[caffe.floatsPerImage()];
        caffe.writeViews(image, expected, 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = pool.invokeAll(Collections.nCopies(24, () -> {
                float[] out = new float[caffe.floatsPerImage()];
                caffe.writeViews(image, out, 0);
                return out;
            }));
            for (Future<float[]> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdown();
        }
    }

    private static float[] centrePixel(Normalization normalization, int r, int g, int b) {
        Preprocessor preprocessor = new Preprocessor(4, 2, CropScheme.CENTER_CROP, normalization);
        float[] out = new float[preprocessor.floatsPerImage()];
        preprocessor.writeViews(uniform(4, 4, r, g, b), out, 0);
        return Arrays.copyOfRange(out, 0, 3);
    }

    private static DecodedImage uniform(int width, int height, int r, int g, int b) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) r;
            rgb[i + 1] = (byte) g;
            rgb[i + 2] = (byte) b;
        }
        return new DecodedImage(width, height, rgb);
    }

    /** Each pixel names its own position: R = x mod 256, B = y mod 256, G = x / 256 + 16 * (y / 256). */
    private static DecodedImage coordinateImage(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                rgb[i] = (byte) x;
                rgb[i + 1] = (byte) ((x >> 8) | ((y >> 8) << 4));
                rgb[i + 2] = (byte) y;
            }
        }
        return new DecodedImage(width, height, rgb);
    }

    private static int decodeX(float[] out, int o) {
        return (int) out[o] + 256 * ((int) out[o + 1] & 0x0F);
    }

    private static int decodeY(float[] out, int o) {
        return (int) out[o + 2] + 256 * ((int) out[o + 1] >> 4);
    }
}
