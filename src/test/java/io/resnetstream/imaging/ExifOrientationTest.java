package io.resnetstream.imaging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import io.resnetstream.testing.TestImages;

import static io.resnetstream.testing.TestImages.colourDistance;
import static io.resnetstream.testing.TestImages.rgbAt;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 48×32 JPEG with coloured quadrants (red top-left, green top-right, blue bottom-left, white
 * bottom-right) and an EXIF orientation tag must come out upright.
 */
class ExifOrientationTest {

    private static final int WIDTH = 48;
    private static final int HEIGHT = 32;

    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
    private final byte[] stored = TestImages.jpeg(TestImages.quadrants(WIDTH, HEIGHT));

    @ParameterizedTest(name = "orientation {0}, little-endian {1}")
    @CsvSource({
        "1,true", "2,true", "3,true", "4,true", "5,true", "6,true", "7,true", "8,true", "1,false", "2,false", "3,false",
        "4,false", "5,false", "6,false", "7,false", "8,false"
    })
    void everyOrientationComesOutUpright(int orientation, boolean littleEndian) throws Exception {
        byte[] jpeg = TestImages.withExifOrientation(stored, orientation, littleEndian);

        DecodedImage upright = decoder.decode(jpeg);

        boolean quarterTurn = orientation >= 5;
        int width = quarterTurn ? HEIGHT : WIDTH;
        int height = quarterTurn ? WIDTH : HEIGHT;
        assertThat(upright.width()).isEqualTo(width);
        assertThat(upright.height()).isEqualTo(height);
        assertThat(decoder.probe(jpeg)).isEqualTo(new ImageHeader("jpeg", width, height));
        for (int[] point : new int[][] {
            {width / 4, height / 4},
            {3 * width / 4, height / 4},
            {width / 4, 3 * height / 4},
            {3 * width / 4, 3 * height / 4}
        }) {
            int[] source = storedPixelShownAt(orientation, point[0], point[1]);
            int expected = TestImages.quadrantColour(source[0], source[1], WIDTH, HEIGHT);
            assertThat(colourDistance(rgbAt(upright, point[0], point[1]), expected))
                    .as("colour shown at %d,%d", point[0], point[1])
                    .isLessThan(16);
        }
    }

    @Test
    void markedCornerLandsWhereTheTagSays() throws Exception {
        // stored top-left is red; after 3 it is bottom-right, after 6 top-right, after 8 bottom-left
        assertThat(rgbAt(decoder.decode(TestImages.withExifOrientation(stored, 3, false)), WIDTH - 4, HEIGHT - 4))
                .satisfies(
                        rgb -> assertThat(colourDistance(rgb, TestImages.RED)).isLessThan(16));
        assertThat(rgbAt(decoder.decode(TestImages.withExifOrientation(stored, 6, false)), HEIGHT - 4, 3))
                .satisfies(
                        rgb -> assertThat(colourDistance(rgb, TestImages.RED)).isLessThan(16));
        assertThat(rgbAt(decoder.decode(TestImages.withExifOrientation(stored, 8, false)), 3, WIDTH - 4))
                .satisfies(
                        rgb -> assertThat(colourDistance(rgb, TestImages.RED)).isLessThan(16));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void matchesOpenCvsOwnExifHandlingExactly(int orientation) throws Exception {
        byte[] jpeg = TestImages.withExifOrientation(stored, orientation, true);

        DecodedImage ours = decoder.decode(jpeg);

        MatOfByte encoded = new MatOfByte(jpeg);
        Mat openCvUpright = Imgcodecs.imdecode(encoded, Imgcodecs.IMREAD_COLOR); // applies EXIF itself
        assertThat(ours.rgb()).isEqualTo(OpenCv.toRgbImage(openCvUpright).rgb());
        encoded.release();
        openCvUpright.release();
    }

    @Test
    void cmykJpegPathAppliesOrientationToo() throws Exception {
        int[] red = {0, 255, 255, 0};
        int[] blue = {255, 255, 0, 0};
        int[][][] inks = new int[16][32][];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                inks[y][x] = x < 16 ? red : blue; // red left half, blue right half
            }
        }

        DecodedImage upright = decoder.decode(TestImages.withExifOrientation(TestImages.cmykJpeg(inks), 6, false));

        assertThat(upright.width()).isEqualTo(16);
        assertThat(upright.height()).isEqualTo(32);
        assertThat(colourDistance(rgbAt(upright, 8, 4), TestImages.RED)).isLessThan(16); // left turned to the top
        assertThat(colourDistance(rgbAt(upright, 8, 28), TestImages.BLUE)).isLessThan(16);
    }

    @Test
    void malformedExifIsIgnored() throws Exception {
        byte[] segment = TestImages.exifOrientationSegment(6, true);
        segment[10] = 'X'; // byte order mark no longer "II" or "MM"

        DecodedImage decoded = decoder.decode(TestImages.insertAfterSoi(stored, segment));

        assertThat(decoded.width()).isEqualTo(WIDTH);
    }

    /** Where the pixel displayed at (x, y) was stored, per the EXIF definition of each orientation. */
    private static int[] storedPixelShownAt(int orientation, int x, int y) {
        return switch (orientation) {
            case 1 -> new int[] {x, y};
            case 2 -> new int[] {WIDTH - 1 - x, y};
            case 3 -> new int[] {WIDTH - 1 - x, HEIGHT - 1 - y};
            case 4 -> new int[] {x, HEIGHT - 1 - y};
            case 5 -> new int[] {y, x};
            case 6 -> new int[] {y, HEIGHT - 1 - x};
            case 7 -> new int[] {WIDTH - 1 - y, HEIGHT - 1 - x};
            case 8 -> new int[] {WIDTH - 1 - y, x};
            default -> throw new IllegalArgumentException("orientation " + orientation);
        };
    }
}
