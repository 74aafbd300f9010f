package io.resnetstream.imaging;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Which views of the resized image are classified (ResNet paper §3.4, after AlexNet). */
public enum CropScheme {
    /** The four corner crops and the centre crop, then the horizontal flips of those five. */
    TEN_CROP("ten-crop", 10),
    /** The centre crop only: the cheap baseline. */
    CENTER_CROP("center-crop", 1);

    private final String id;
    private final int views;

    CropScheme(String id, int views) {
        this.id = id;
        this.views = views;
    }

    public int views() {
        return views;
    }

    /** The configuration spelling, e.g. "ten-crop". */
    public String id() {
        return id;
    }

    /** Accepts the id ("ten-crop") or the constant name ("TEN_CROP"), ignoring case. */
    public static CropScheme parse(String text) {
        String wanted = text.trim();
        for (CropScheme scheme : values()) {
            if (scheme.id.equalsIgnoreCase(wanted) || scheme.name().equalsIgnoreCase(wanted)) {
                return scheme;
            }
        }
        throw new IllegalArgumentException("unknown crop scheme '" + text + "', expected one of "
                + Arrays.stream(values()).map(CropScheme::id).collect(Collectors.joining(", ")));
    }
}
