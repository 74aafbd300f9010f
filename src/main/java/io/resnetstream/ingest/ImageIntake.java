package io.resnetstream.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import io.resnetstream.contracts.ByteBuffers;
import io.resnetstream.contracts.ImageEvent;
import io.resnetstream.imaging.ImageDecoder;
import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;
import io.resnetstream.registry.UnknownSchemaException;
import io.resnetstream.registry.UnusableSchemaException;

/**
 * Turns one input record into an {@link AcceptedImage}, or says why not. Cheap checks only (sizes,
 * framing, the image header, a URI against the policy), with no I/O, so a bad record is rejected before it is
 * buffered and the stream thread never waits on the network; a URI's image is fetched and pixels are decoded in
 * the batch, in parallel.
 */
public final class ImageIntake {
    private final InputFormat format;
    private final Deserializer<ImageEvent> events;
    private final ImageDecoder decoder;
    private final UriFetcher fetcher;
    private final long maxImageBytes;
    private final int maxIdBytes;

    /** Room for an event's id, uri and attributes around its inline image. */
    private static final long EVENT_OVERHEAD_BYTES = 64 * 1024;

    /**
     * @param maxIdBytes the longest image id accepted, in UTF-8 bytes: the id becomes the key of the outcome, and
     *                   an unbounded one could make the outcome too large to produce
     */
    public ImageIntake(
            InputFormat format,
            Deserializer<ImageEvent> events,
            ImageDecoder decoder,
            UriFetcher fetcher,
            long maxImageBytes,
            int maxIdBytes) {
        this.format = format;
        this.events = events;
        this.decoder = decoder;
        this.fetcher = fetcher;
        this.maxImageBytes = maxImageBytes;
        this.maxIdBytes = maxIdBytes;
    }

    /**
     * The key a dead letter of this record carries when its image id is unknown: the record's own key if it is a
     * valid id, else {@code fallbackId} (a key too long or not UTF-8 must not travel on).
     */
    public String deadLetterKey(byte[] key, String fallbackId) {
        if (key == null) {
            return null;
        }
        try {
            return idFromKey(key);
        } catch (RejectedInputException e) {
            return fallbackId;
        }
    }

    /**
     * What a dead letter may keep of a record whose intake failed in a way no check foresaw: a raw image as it came,
     * an Avro value with anything URI-like in it masked (it may be an event whose URI carries a token).
     */
    public byte[] deadLetterPayload(byte[] value) {
        return format == InputFormat.RAW || value == null ? value : UriRedaction.maskUris(value);
    }

    /**
     * @param fallbackId used as the image id when the record carries none (a raw record without key)
     */
    public AcceptedImage accept(String topic, byte[] key, byte[] value, String fallbackId)
            throws RejectedInputException {
        if (value == null || value.length == 0) {
            throw new RejectedInputException(RejectReason.MALFORMED_EVENT, "empty record value");
        }
        return format == InputFormat.RAW ? probed(raw(key, value, fallbackId)) : avro(topic, value);
    }

    /** The header checked now for an image at hand; a URI's image is checked once fetched, in its batch. */
    private AcceptedImage probed(AcceptedImage accepted) throws RejectedInputException {
        if (accepted.image() == null) {
            return accepted;
        }
        try {
            decoder.probe(accepted.image());
        } catch (RejectedInputException e) {
            throw e.forImage(accepted.imageId());
        }
        return accepted;
    }

    /**
     * The image at an accepted event's URI, with the checks an inline image had at intake (size, header). Slow (the
     * network, up to the fetcher's timeout): called while a batch is prepared, never on the stream thread.
     */
    public byte[] fetched(String uri) throws RejectedInputException {
        byte[] image = fetcher.fetch(uri);
        checkSize(image.length, maxImageBytes, "fetched image");
        decoder.probe(image);
        return image;
    }

    /**
     * A buffered image's bytes from its input record read again (after a restore, when they were not in memory):
     * intake once more, then the fetch if it is a URI.
     *
     * @param imageId the id the reference holds: the record read must be the same image (a topic deleted and
     *                created again restarts its offsets, and the offset would name another record)
     */
    public byte[] again(String topic, byte[] key, byte[] value, String imageId, String fallbackId)
            throws RejectedInputException {
        AcceptedImage accepted = accept(topic, key, value, fallbackId);
        if (!accepted.imageId().equals(imageId)) {
            throw new RejectedInputException(
                    RejectReason.EXPIRED,
                    "the input record at its offset is another image (" + accepted.imageId()
                            + "): the topic was recreated since it was buffered");
        }
        return accepted.image() != null ? accepted.image() : fetched(accepted.uri());
    }

    private AcceptedImage raw(byte[] key, byte[] value, String fallbackId) throws RejectedInputException {
        String id = key == null || key.length == 0 ? fallbackId : idFromKey(key);
        checkSize(value.length, maxImageBytes, "image");
        return new AcceptedImage(id, value, null, null);
    }

    /** The key as an id: strict UTF-8 (no replacement characters), no longer than the id limit. */
    private String idFromKey(byte[] key) throws RejectedInputException {
        if (key.length > maxIdBytes) {
            throw new RejectedInputException(
                    RejectReason.INVALID_ID, "key of " + key.length + " bytes is over the id limit of " + maxIdBytes);
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RejectedInputException(RejectReason.INVALID_ID, "key is not valid UTF-8", e);
        }
    }

    private void checkId(String id) throws RejectedInputException {
        // a Java char is at most 3 UTF-8 bytes: count bytes only when the length alone cannot decide
        if (id.length() * 3L > maxIdBytes && id.getBytes(StandardCharsets.UTF_8).length > maxIdBytes) {
            throw new RejectedInputException(
                    RejectReason.INVALID_ID,
                    "imageId of " + id.length() + " characters is over the id limit of " + maxIdBytes + " bytes");
        }
    }

    private AcceptedImage avro(String topic, byte[] value) throws RejectedInputException {
        ImageEvent event;
        try {
            event = event(topic, value);
        } catch (RejectedInputException e) {
            // a value not read as an event may still hold a URI with its token: mask anything URI-like in it
            throw e.keeping(UriRedaction.maskUris(value));
        }
        try {
            checkId(event.getImageId());
            Long eventTime =
                    event.getEventTime() == null ? null : event.getEventTime().toEpochMilli();
            return probed(accepted(event, eventTime));
        } catch (RejectedInputException e) {
            RejectedInputException rejected = e.imageId() == null ? e.forImage(event.getImageId()) : e;
            // the event's URI may carry a token (a presigned query, a password): its dead letter keeps it masked
            return throwKeeping(rejected, event.getUri() == null ? null : UriRedaction.maskUri(value, event.getUri()));
        }
    }

    private ImageEvent event(String topic, byte[] value) throws RejectedInputException {
        checkSize(value.length, maxImageBytes + EVENT_OVERHEAD_BYTES, "message");
        try {
            return events.deserialize(topic, value);
        } catch (UnusableSchemaException e) {
            throw new RejectedInputException(RejectReason.UNSUPPORTED_SCHEMA, e.getMessage(), e);
        } catch (UnknownSchemaException e) {
            throw new RejectedInputException(RejectReason.UNKNOWN_SCHEMA, e.getMessage(), e);
        } catch (SerializationException e) {
            // no cause: Avro's message is enough, and nothing of the value should travel on in a stack trace
            throw new RejectedInputException(
                    RejectReason.MALFORMED_EVENT, "not an ImageEvent: " + UriRedaction.scrub(e.getMessage()));
        }
    }

    private static AcceptedImage throwKeeping(RejectedInputException e, byte[] payload) throws RejectedInputException {
        throw payload == null ? e : e.keeping(payload);
    }

    /** The event's image inline, or its URI checked against the policy only: the fetch waits for the batch. */
    private AcceptedImage accepted(ImageEvent event, Long eventTime) throws RejectedInputException {
        if (event.getData() != null) {
            checkSize(event.getData().remaining(), maxImageBytes, "image");
            return new AcceptedImage(event.getImageId(), ByteBuffers.toArray(event.getData()), null, eventTime);
        }
        if (event.getUri() != null) {
            fetcher.check(event.getUri());
            return new AcceptedImage(event.getImageId(), null, event.getUri(), eventTime);
        }
        throw new RejectedInputException(RejectReason.MALFORMED_EVENT, "the event has neither data nor uri");
    }

    private static void checkSize(long bytes, long limit, String what) throws RejectedInputException {
        if (bytes > limit) {
            throw new RejectedInputException(
                    RejectReason.TOO_LARGE, what + " of " + bytes + " bytes is over the limit of " + limit);
        }
    }
}
