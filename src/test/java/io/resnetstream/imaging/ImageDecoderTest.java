package io.resnetstream.imaging;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;
import io.resnetstream.testing.TestImages;

import static io.resnetstream.testing.TestImages.BLUE;
import static io.resnetstream.testing.TestImages.GREEN;
import static io.resnetstream.testing.TestImages.RED;
import static io.resnetstream.testing.TestImages.WHITE;
import static io.resnetstream.testing.TestImages.colourDistance;
import static io.resnetstream.testing.TestImages.rgbAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());

    /**
     * Resizing in native memory, before the channel swap, gives the very pixels of decoding and then resizing:
     * shrunk, enlarged, already at S, wide and tall, and with an EXIF rotation that swaps width and height. With
     * JPEGs decoded at full size (the default scales them down first: below).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6, 8})
    void decodeResizedIsDecodeThenResize(int orientation) throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults(), JpegDecoding.FULL);
        int[][] sizes = {{320, 320}, {120, 80}, {40, 100}, {46, 46}, {46, 90}, {300, 47}};
        for (int[] size : sizes) {
            byte[] jpeg = TestImages.withExifOrientation(
                    TestImages.jpeg(TestImages.noise(size[0], size[1], 7)), orientation, false);
            byte[] png = TestImages.png(TestImages.disc(3, size[0], size[1]));
            for (byte[] encoded : List.of(jpeg, png)) {
                DecodedImage expected = new Preprocessor(46, 40, CropScheme.TEN_CROP, Normalization.NONE)
                        .resizeShorterSide(decoder.decode(encoded));
                DecodedImage actual = decoder.decodeResized(encoded, 46);
                assertThat(actual.width()).isEqualTo(expected.width());
                assertThat(actual.height()).isEqualTo(expected.height());
                assertThat(actual.rgb())
                        .as("%dx%d, orientation %d", size[0], size[1], orientation)
                        .isEqualTo(expected.rgb());
            }
        }
    }

    @Test
    void aJpegIsDecodedAtTheSmallestScaleThatKeepsTheShorterSideAtLeastS() {
        assertThat(JpegDecoding.SCALED.denominator(320, 320, 46)).isEqualTo(4); // 80 ≥ 46 > 40
        assertThat(JpegDecoding.SCALED.denominator(4000, 3000, 256)).isEqualTo(8); // 375
        assertThat(JpegDecoding.SCALED.denominator(3000, 4000, 256)).isEqualTo(8);
        assertThat(JpegDecoding.SCALED.denominator(1024, 768, 256)).isEqualTo(2); // 384; 192 at 1/4 is too few
        assertThat(JpegDecoding.SCALED.denominator(500, 375, 256)).isEqualTo(1);
        assertThat(JpegDecoding.SCALED.denominator(367, 367, 46)).isEqualTo(8); // libjpeg rounds 45.9 up to 46
        assertThat(JpegDecoding.SCALED.denominator(359, 359, 46)).isEqualTo(4); // 44.9 → 45 at 1/8
        assertThat(JpegDecoding.FULL.denominator(4000, 3000, 256)).isEqualTo(1);
    }

    /**
     * A JPEG decoded reduced ends at the size a full decode is resized to (wide, tall, odd sides that libjpeg rounds
     * up, an EXIF rotation), with nearly its pixels: the reduction averages blocks where OpenCV resamples areas.
     * Other formats are not reduced: their pixels are those of the full path.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 6})
    void aScaledJpegDecodeEndsAtTheSizeAndNearlyThePixelsOfAFullOne(int orientation) throws Exception {
        ImageDecoder scaled = new ImageDecoder(ImageLimits.defaults(), JpegDecoding.SCALED);
        ImageDecoder full = new ImageDecoder(ImageLimits.defaults(), JpegDecoding.FULL);
        int[][] sizes = {{320, 320}, {640, 480}, {1001, 203}, {203, 1001}, {367, 185}, {95, 300}};
        for (int[] size : sizes) {
            byte[] jpeg = TestImages.withExifOrientation(
                    TestImages.jpeg(TestImages.disc(5, size[0], size[1])), orientation, false);
            DecodedImage expected = full.decodeResized(jpeg, 46);
            DecodedImage actual = scaled.decodeResized(jpeg, 46);
            assertThat(actual.width()).as("%dx%d", size[0], size[1]).isEqualTo(expected.width());
            assertThat(actual.height()).as("%dx%d", size[0], size[1]).isEqualTo(expected.height());
            double difference = 0;
            for (int i = 0; i < actual.rgb().length; i++) {
                difference += Math.abs((actual.rgb()[i] & 0xFF) - (expected.rgb()[i] & 0xFF));
            }
            assertThat(difference / actual.rgb().length)
                    .as("mean difference per channel value, %dx%d", size[0], size[1])
                    .isLessThan(4.0);
            byte[] png = TestImages.png(TestImages.disc(5, size[0], size[1]));
            assertThat(scaled.decodeResized(png, 46).rgb())
                    .isEqualTo(full.decodeResized(png, 46).rgb());
        }
    }

    @Test
    void pngKeepsExactRgbValuesInRgbOrder() throws Exception {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] colours = {0x102030, 0xFF0000, 0x00FF00, 0x0000FF, 0x7F8081, 0xFFFFFF};
        for (int i = 0; i < colours.length; i++) {
            image.setRGB(i % 3, i / 3, colours[i]);
        }

        DecodedImage decoded = decoder.decode(TestImages.png(image));

        assertThat(decoded.width()).isEqualTo(3);
        assertThat(decoded.height()).isEqualTo(2);
        assertThat(decoded.rgb())
                .containsExactly(
                        0x10, 0x20, 0x30, 0xFF, 0, 0, 0, 0xFF, 0, 0, 0, 0xFF, 0x7F, 0x80, 0x81, 0xFF, 0xFF, 0xFF);
    }

    @Test
    void jpegDecodesToRgbWithinCompressionError() throws Exception {
        DecodedImage decoded = decoder.decode(TestImages.jpeg(TestImages.quadrants(64, 48)));

        assertThat(decoded.width()).isEqualTo(64);
        assertThat(decoded.height()).isEqualTo(48);
        assertThat(colourDistance(rgbAt(decoded, 10, 10), RED)).isLessThan(12);
        assertThat(colourDistance(rgbAt(decoded, 50, 10), GREEN)).isLessThan(12);
        assertThat(colourDistance(rgbAt(decoded, 10, 40), BLUE)).isLessThan(12);
        assertThat(colourDistance(rgbAt(decoded, 50, 40), WHITE)).isLessThan(12);
    }

    @Test
    void greyPngBecomesEqualRgb() throws Exception {
        BufferedImage grey = new BufferedImage(16, 1, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 16; x++) {
            grey.getRaster().setSample(x, 0, 0, x * 17);
        }

        DecodedImage decoded = decoder.decode(TestImages.png(grey));

        for (int x = 0; x < 16; x++) {
            assertThat(rgbAt(decoded, x, 0)).isEqualTo(x * 17 * 0x010101);
        }
    }

    @Test
    void greyJpegBecomesEqualRgb() throws Exception {
        BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                grey.getRaster().setSample(x, y, 0, 200);
            }
        }

        DecodedImage decoded = decoder.decode(TestImages.jpeg(grey));

        int pixel = rgbAt(decoded, 8, 8);
        assertThat(pixel >> 16)
                .isEqualTo((pixel >> 8) & 0xFF)
                .isEqualTo(pixel & 0xFF)
                .isBetween(197, 203);
    }

    @Test
    void alphaIsDroppedKeepingTheStoredColour() throws Exception {
        BufferedImage rgba = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x00C86432); // fully transparent
        rgba.setRGB(1, 0, 0x800A141E); // half transparent
        rgba.setRGB(2, 0, 0xFF010203); // opaque

        DecodedImage decoded = decoder.decode(TestImages.png(rgba));

        assertThat(decoded.rgb()).containsExactly(200, 100, 50, 10, 20, 30, 1, 2, 3);
    }

    @Test
    void palettePngIsExpanded() throws Exception {
        byte[] r = {(byte) 255, 0, 0, 12};
        byte[] g = {0, (byte) 255, 0, 34};
        byte[] b = {0, 0, (byte) 255, 56};
        BufferedImage indexed =
                new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(2, 4, r, g, b));
        for (int x = 0; x < 4; x++) {
            indexed.getRaster().setSample(x, 0, 0, 3 - x);
        }

        DecodedImage decoded = decoder.decode(TestImages.png(indexed));

        assertThat(decoded.rgb()).containsExactly(12, 34, 56, 0, 0, 255, 0, 255, 0, 255, 0, 0);
    }

    @Test
    void sixteenBitRgbPngKeepsTheHighByte() throws Exception {
        ComponentColorModel model = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {0x4000, 0xC000, 0xFFFF});
        raster.setPixel(1, 0, new int[] {0x0000, 0x80FF, 0x2000});
        BufferedImage image = new BufferedImage(model, raster, false, null);
        byte[] png = TestImages.png(image);
        assertThat(png[24]).as("bit depth in IHDR").isEqualTo((byte) 16);

        DecodedImage decoded = decoder.decode(png);

        assertThat(decoded.rgb()).containsExactly(0x40, 0xC0, 0xFF, 0x00, 0x80, 0x20);
    }

    @Test
    void sixteenBitGreyPngKeepsTheHighByte() throws Exception {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSample(0, 0, 0, 0x8000);
        grey.getRaster().setSample(1, 0, 0, 0xFFFF);

        DecodedImage decoded = decoder.decode(TestImages.png(grey));

        assertThat(decoded.rgb()).containsExactly(0x80, 0x80, 0x80, 0xFF, 0xFF, 0xFF);
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws Exception {
        int[][] inks = {{0, 255, 255, 0}, {255, 0, 255, 0}, {255, 255, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 255}};
        int[] expected = {RED, GREEN, BLUE, WHITE, 0x000000};
        int[][][] pixels = new int[16][16 * inks.length][];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16 * inks.length; x++) {
                pixels[y][x] = inks[x / 16];
            }
        }
        byte[] cmyk = TestImages.cmykJpeg(pixels);
        assertThat(decoder.probe(cmyk)).isEqualTo(new ImageHeader("jpeg", 16 * inks.length, 16));

        DecodedImage decoded = decoder.decode(cmyk);

        for (int i = 0; i < inks.length; i++) {
            assertThat(colourDistance(rgbAt(decoded, i * 16 + 8, 8), expected[i]))
                    .as("ink %s", Arrays.toString(inks[i]))
                    .isLessThan(12);
        }
    }

    @Test
    void gifBmpAndWebpAreDecoded() throws Exception {
        BufferedImage quadrants = TestImages.quadrants(8, 6);
        byte[] webp = webpLossless(quadrants);

        for (byte[] encoded : List.of(TestImages.encode(quadrants, "gif"), TestImages.encode(quadrants, "bmp"), webp)) {
            DecodedImage decoded = decoder.decode(encoded);

            assertThat(decoded.width()).isEqualTo(8);
            assertThat(decoded.height()).isEqualTo(6);
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 8; x++) {
                    assertThat(rgbAt(decoded, x, y)).isEqualTo(TestImages.quadrantColour(x, y, 8, 6));
                }
            }
        }
        assertThat(decoder.probe(webp)).isEqualTo(new ImageHeader("webp", 8, 6));
    }

    @Test
    void probeReadsFormatAndSizeFromTheHeader() throws Exception {
        BufferedImage image = TestImages.quadrants(40, 30);

        assertThat(decoder.probe(TestImages.png(image))).isEqualTo(new ImageHeader("png", 40, 30));
        assertThat(decoder.probe(TestImages.jpeg(image))).isEqualTo(new ImageHeader("jpeg", 40, 30));
        assertThat(decoder.probe(TestImages.encode(image, "gif"))).isEqualTo(new ImageHeader("gif", 40, 30));
        assertThat(decoder.probe(TestImages.encode(image, "bmp"))).isEqualTo(new ImageHeader("bmp", 40, 30));
    }

    @Test
    void decompressionBombPngIsRejectedFromItsHeaderWithoutAllocating() throws Exception {
        byte[] bomb = TestImages.pngClaiming(50_000, 50_000);
        assertThatThrownBy(() -> decoder.decode(bomb)).isInstanceOf(RejectedInputException.class); // warm up

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        RejectReason reason = reasonFor(bomb);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(reason).isEqualTo(RejectReason.TOO_MANY_PIXELS);
        assertThat(allocated).as("bytes allocated while rejecting").isLessThan(64 * 1024);
    }

    @Test
    void sidesWhoseProductOverflowsAreRejected() {
        assertThat(reasonFor(TestImages.pngClaiming(0xFFFF_FFFFL, 0xFFFF_FFFFL)))
                .isEqualTo(RejectReason.TOO_MANY_PIXELS);
        assertThat(reasonFor(TestImages.pngClaiming(0x8000_0000L, 1))).isEqualTo(RejectReason.TOO_MANY_PIXELS);
    }

    @Test
    void oversizedJpegAndGifHeadersAreRejectedAsTooManyPixels() {
        byte[] hugeJpeg = TestImages.jpegClaiming(TestImages.jpeg(TestImages.quadrants(16, 16)), 65_000, 65_000);

        assertThat(reasonFor(hugeJpeg)).isEqualTo(RejectReason.TOO_MANY_PIXELS);
        assertThat(reasonFor(TestImages.gifClaimingFrame(60_000, 60_000))).isEqualTo(RejectReason.TOO_MANY_PIXELS);
    }

    @Test
    void anImageTooLargeOnceResizedIsRefusedFromItsHeader() {
        ImageDecoder forResNet50 =
                new ImageDecoder(ImageLimits.defaults().forResize(256, ImageLimits.DEFAULT_MAX_RESIZED_PIXELS));
        // 77 bytes of PNG, but 131072x256 once its shorter side is 256
        assertThatThrownBy(() -> forResNet50.probe(TestImages.pngClaiming(512, 1)))
                .isInstanceOf(RejectedInputException.class)
                .hasMessageContaining("131072")
                .extracting(e -> ((RejectedInputException) e).reason())
                .isEqualTo(RejectReason.TOO_MANY_PIXELS);
        assertThat(reasonFor(TestImages.pngClaiming(12_000, 1), forResNet50)).isEqualTo(RejectReason.TOO_MANY_PIXELS);
        // a panorama of 8:1 is 2048x256 once resized: well inside
        assertThat(reasonFor(TestImages.pngClaiming(4000, 500), forResNet50)).isNull();
    }

    @Test
    void progressiveJpegWithinTheScanLimitDecodes() throws Exception {
        byte[] progressive = TestImages.progressiveJpeg(TestImages.quadrants(64, 48));
        DecodedImage image = decoder.decode(progressive);

        assertThat(image.width()).isEqualTo(64);
        assertThatThrownBy(() -> new ImageDecoder(ImageLimits.defaults().withMaxJpegScans(2)).probe(progressive))
                .isInstanceOf(RejectedInputException.class)
                .extracting(e -> ((RejectedInputException) e).reason())
                .isEqualTo(RejectReason.TOO_MANY_SCANS);
    }

    @Test
    void jpegClaimingThousandsOfScansIsRefusedBeforeDecoding() {
        byte[] manyScans = TestImages.withExtraScans(TestImages.jpeg(TestImages.quadrants(32, 32)), 3000);

        assertThat(manyScans.length).isLessThan(40_000);
        assertThat(reasonFor(manyScans)).isEqualTo(RejectReason.TOO_MANY_SCANS);
    }

    @Test
    void pixelLimitIsInclusive() throws Exception {
        byte[] png = TestImages.png(TestImages.quadrants(100, 100));

        assertThat(new ImageDecoder(new ImageLimits(1 << 20, 10_000))
                        .decode(png)
                        .width())
                .isEqualTo(100);
        assertThatThrownBy(() -> new ImageDecoder(new ImageLimits(1 << 20, 9_999)).probe(png))
                .extracting(e -> ((RejectedInputException) e).reason())
                .isEqualTo(RejectReason.TOO_MANY_PIXELS);
    }

    @Test
    void byteLimitIsCheckedBeforeAnythingElse() throws Exception {
        ImageDecoder small = new ImageDecoder(new ImageLimits(1000, ImageLimits.DEFAULT_MAX_PIXELS));
        byte[] png = TestImages.png(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB));
        byte[] padded = Arrays.copyOf(png, 1001); // trailing bytes after IEND are ignored by decoders

        assertThat(small.decode(Arrays.copyOf(png, 1000)).width()).isEqualTo(2);
        assertThatThrownBy(() -> small.decode(padded))
                .extracting(e -> ((RejectedInputException) e).reason())
                .isEqualTo(RejectReason.TOO_LARGE);
        assertThatThrownBy(() -> small.probe(new byte[5000]))
                .extracting(e -> ((RejectedInputException) e).reason())
                .isEqualTo(RejectReason.TOO_LARGE);
    }

    @Test
    void truncatedJpegIsUndecodable() {
        byte[] jpeg = TestImages.jpeg(TestImages.quadrants(64, 64));

        assertThat(reasonFor(Arrays.copyOf(jpeg, jpeg.length * 2 / 3))).isEqualTo(RejectReason.UNDECODABLE);
        assertThat(reasonFor(Arrays.copyOf(jpeg, jpeg.length - 2))).isEqualTo(RejectReason.UNDECODABLE);
        assertThat(reasonFor(Arrays.copyOf(jpeg, 40))).isEqualTo(RejectReason.UNDECODABLE);
    }

    @Test
    void truncatedPngBmpGifAndWebpAreUndecodable() {
        BufferedImage noise = TestImages.noise(64, 64, 7);
        for (byte[] encoded : List.of(
                TestImages.png(noise),
                TestImages.encode(noise, "bmp"),
                TestImages.encode(noise, "gif"),
                webpLossless(noise))) {
            assertThat(reasonFor(Arrays.copyOf(encoded, encoded.length / 2))).isEqualTo(RejectReason.UNDECODABLE);
            assertThat(reasonFor(Arrays.copyOf(encoded, 20))).isEqualTo(RejectReason.UNDECODABLE);
        }
    }

    @Test
    void unknownBytesAreAnUnsupportedFormat() {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        random[0] = 0;

        assertThat(reasonFor(random)).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
        assertThat(reasonFor(new byte[0])).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
        assertThat(reasonFor("<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes()))
                .isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png"})
    void decodesConcurrentlyWithIdenticalResults(String format) throws Exception {
        byte[] encoded = format.equals("png")
                ? TestImages.png(TestImages.noise(120, 90, 7))
                : TestImages.jpeg(TestImages.noise(120, 90, 7));
        byte[] expected = decoder.decode(encoded).rgb();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> results = pool.invokeAll(java.util.Collections.nCopies(
                    40, () -> decoder.decode(encoded).rgb()));
            for (Future<byte[]> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdown();
        }
    }

    private RejectReason reasonFor(byte[] data) {
        try {
            decoder.decode(data);
        } catch (RejectedInputException e) {
            return e.reason();
        }
        throw new AssertionError("accepted " + data.length + " bytes");
    }

    /** Why the header probe refuses {@code data}, or null when it passes. */
    private static RejectReason reasonFor(byte[] data, ImageDecoder decoder) {
        try {
            decoder.probe(data);
            return null;
        } catch (RejectedInputException e) {
            return e.reason();
        }
    }

    /** Lossless WebP through OpenCV's encoder (ImageIO has no WebP writer). */
    private static byte[] webpLossless(BufferedImage image) {
        OpenCv.load();
        Mat bgr = new Mat(image.getHeight(), image.getWidth(), CvType.CV_8UC3, new Scalar(0, 0, 0));
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                bgr.put(y, x, rgb & 0xFF, (rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF);
            }
        }
        MatOfByte out = new MatOfByte();
        Imgcodecs.imencode(".webp", bgr, out, new MatOfInt(Imgcodecs.IMWRITE_WEBP_QUALITY, 101));
        return out.toArray();
    }
}
