package io.resnetstream.ingest;

/**
 * Caps what Avro allocates for one string, bytes field or collection. Without it a 5-byte payload that
 * claims a 1 GB string makes Avro allocate 1 GB before failing; with it the record fails to decode and
 * goes to the dead-letter topic. Avro reads these JVM-wide properties once, so set them before the
 * first decode; explicit {@code -D} settings win.
 */
public final class AvroLimits {
    private AvroLimits() {
    }

    public static void capTo(long maxImageBytes) {
        String limit = String.valueOf(Math.min(Integer.MAX_VALUE - 8L, maxImageBytes + 64 * 1024));
        for (String key : new String[] { "org.apache.avro.limits.string.maxLength",
                "org.apache.avro.limits.bytes.maxLength", "org.apache.avro.limits.collectionItems.maxLength" }) {
            if (System.getProperty(key) == null) {
                System.setProperty(key, limit);
            }
        }
    }
}
