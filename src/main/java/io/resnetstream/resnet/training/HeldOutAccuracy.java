package io.resnetstream.resnet.training;

import java.util.List;

import io.resnetstream.inference.ForwardPass;

/**
 * Top-1 accuracy on held-out images, centre-crop and ten-crop (softmax averaged over the ten views, paper §3.4).
 *
 * @param images    how many images were scored
 * @param centreCrop fraction right from the centre view alone
 * @param tenCrop    fraction right from the ten views
 */
public record HeldOutAccuracy(int images, double centreCrop, double tenCrop) {

    private static final int IMAGES_PER_PASS = 25;

    /** Scores {@code model} on {@code testImages} of side {@code resize}, cutting {@code crop}-sized views. */
    public static HeldOutAccuracy measure(ForwardPass model, List<LabeledImage> testImages, int crop) {
        CropWriter crops = new CropWriter(crop);
        int views = CropWriter.TEN_CROP_VIEWS;
        int centreRight = 0;
        int tenRight = 0;
        for (int first = 0; first < testImages.size(); first += IMAGES_PER_PASS) {
            int count = Math.min(IMAGES_PER_PASS, testImages.size() - first);
            float[] batch = new float[count * views * crops.floatsPerView()];
            for (int i = 0; i < count; i++) {
                crops.writeTenCrop(testImages.get(first + i), batch, i * views * crops.floatsPerView());
            }
            float[][] rows = model.classify(batch, count * views);
            for (int i = 0; i < count; i++) {
                int label = testImages.get(first + i).label();
                // the centre crop is the fifth view
                if (argMax(rows[i * views + 4]) == label) {
                    centreRight++;
                }
                float[] mean = new float[rows[0].length];
                for (int v = 0; v < views; v++) {
                    for (int c = 0; c < mean.length; c++) {
                        mean[c] += rows[i * views + v][c] / views;
                    }
                }
                if (argMax(mean) == label) {
                    tenRight++;
                }
            }
        }
        int n = testImages.size();
        return new HeldOutAccuracy(n, centreRight / (double) n, tenRight / (double) n);
    }

    private static int argMax(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            if (row[c] > row[best]) {
                best = c;
            }
        }
        return best;
    }
}
