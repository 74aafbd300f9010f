package io.resnetstream.ingest;

/**
 * Caps what Avro allocates for one string, bytes field or collection. Without it a 5-byte payload that
 * claims a 1 GB string makes Avro allocate 1 GB before failing; with it the record fails to decode and
 * goes to the dead-letter topic. Avro reads these JVM-wide properties once, so set them before the
 * first decode; explicit {@code -D} settings win.
 */
public final class AvroLimits {
    /**
     * Items in one Avro array or map block. An {@code ImageEvent}'s only collection is its attributes map; a
     * payload of 16 bytes claiming 20 million entries made Avro allocate 135 MB before failing.
     */
    public static final int MAX_COLLECTION_ITEMS = 10_000;

    private AvroLimits() {}

    public static void capTo(long maxImageBytes) {
        String bytes = String.valueOf(Math.min(Integer.MAX_VALUE - 8L, maxImageBytes + 64 * 1024));
        setUnlessGiven("org.apache.avro.limits.string.maxLength", bytes);
        setUnlessGiven("org.apache.avro.limits.bytes.maxLength", bytes);
        setUnlessGiven("org.apache.avro.limits.collectionItems.maxLength", String.valueOf(MAX_COLLECTION_ITEMS));
    }

    private static void setUnlessGiven(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
