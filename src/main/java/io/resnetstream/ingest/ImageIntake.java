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
 * framing, the image header), so a bad record is rejected before it is buffered; pixels are decoded
 * in the batch, in parallel.
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

    private AcceptedImage probed(AcceptedImage accepted) throws RejectedInputException {
        try {
            decoder.probe(accepted.image());
        } catch (RejectedInputException e) {
            throw e.forImage(accepted.imageId());
        }
        return accepted;
    }

    private AcceptedImage raw(byte[] key, byte[] value, String fallbackId) throws RejectedInputException {
        String id = key == null || key.length == 0 ? fallbackId : idFromKey(key);
        checkSize(value.length, maxImageBytes, "image");
        return new AcceptedImage(id, value, null);
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
            return probed(new AcceptedImage(event.getImageId(), image(event), eventTime));
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

    private byte[] image(ImageEvent event) throws RejectedInputException {
        if (event.getData() != null) {
            checkSize(event.getData().remaining(), maxImageBytes, "image");
            return ByteBuffers.toArray(event.getData());
        }
        if (event.getUri() != null) {
            return fetcher.fetch(event.getUri());
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
