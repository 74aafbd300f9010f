package io.resnetstream.tools;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A backfill's image ids, derived so that a re-run finds the same ones (which is what lets {@code --resume} skip
 * the images that already have an outcome).
 *
 * <ul>
 *   <li>{@link Kind#PATH} (default): {@code <prefix><uri>}, the image's URI as sent ({@code file:///data/a/1.jpg});
 *       readable, and the results' source is the id without its prefix. Moving the folder changes the ids.
 *   <li>{@link Kind#CONTENT}: {@code <prefix>sha256:<hex>} of the bytes: the same image under two names is one id
 *       (classified once); the folder may move. Costs a read of every file, also by reference.
 * </ul>
 *
 * The prefix scopes a backfill: another prefix classifies the same images again (a new model, say) without
 * {@code --resume} seeing the old outcomes.
 */
record BackfillIds(Kind kind, String prefix) {

    enum Kind {
        PATH,
        CONTENT
    }

    /** The service's default {@code resnet.limits.id-bytes}: a longer id would be dead-lettered as INVALID_ID. */
    static final int MAX_ID_BYTES = 1024;

    String fromUri(String uri) {
        return prefix + uri;
    }

    String fromContent(byte[] bytes) {
        return prefix + "sha256:" + HexFormat.of().formatHex(sha256(bytes));
    }

    /** Whether the id is within the service's limit (checked before sending: a too-long one is not sent). */
    static boolean fits(String id) {
        return id.getBytes(StandardCharsets.UTF_8).length <= MAX_ID_BYTES;
    }

    /**
     * The 128 leading bits of the id's SHA-256: what the backfill keeps per id in memory ({@link IdSet}). Two ids
     * of a billion-image backfill share one with a probability near 10⁻²¹.
     */
    static long[] hash128(String id) {
        ByteBuffer b = ByteBuffer.wrap(sha256(id.getBytes(StandardCharsets.UTF_8)));
        return new long[] {b.getLong(), b.getLong()};
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
