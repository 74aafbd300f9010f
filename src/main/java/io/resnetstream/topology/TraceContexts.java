package io.resnetstream.topology;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;

/**
 * The W3C trace context an input record may carry in its {@code traceparent} header (W3C Trace Context, level 1), and
 * the headers that carry it on to the record's outcome. A header that is not a valid traceparent is ignored, never a
 * reason to reject the image: tracing is the producer's option, not part of the contract.
 */
final class TraceContexts {
    static final String TRACEPARENT = "traceparent";

    /** A version-00 traceparent is 55 characters; later versions may append fields, so read a little more. */
    private static final int MAX_HEADER_BYTES = 256;

    private static final Pattern TRACEPARENT_FORMAT =
            Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\\x21-\\x7e]*)?");

    private TraceContexts() {}

    /** The record's traceparent, as version 00 (its first four fields), or null when it has none that is valid. */
    static String traceparent(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(TRACEPARENT);
        if (header == null || header.value() == null || header.value().length > MAX_HEADER_BYTES) {
            return null;
        }
        SpanContext context = spanContext(new String(header.value(), StandardCharsets.US_ASCII));
        return context.isValid()
                ? "00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
                        + context.getTraceFlags().asHex()
                : null;
    }

    /**
     * The remote span context a traceparent names; {@link SpanContext#getInvalid()} for a malformed one (version ff,
     * a version-00 header with extra fields, an all-zero trace or span id).
     */
    static SpanContext spanContext(String traceparent) {
        if (traceparent == null) {
            return SpanContext.getInvalid();
        }
        var m = TRACEPARENT_FORMAT.matcher(traceparent);
        if (!m.matches() || m.group(1).equals("ff") || (m.group(1).equals("00") && m.group(5) != null)) {
            return SpanContext.getInvalid();
        }
        String traceId = m.group(2);
        String spanId = m.group(3);
        if (!TraceId.isValid(traceId) || !SpanId.isValid(spanId)) {
            return SpanContext.getInvalid();
        }
        return SpanContext.createFromRemoteParent(
                traceId, spanId, TraceFlags.fromHex(m.group(4), 0), TraceState.getDefault());
    }

    /** An outcome's headers: the input's traceparent when it had one, else none. */
    static Headers outcomeHeaders(String traceparent) {
        RecordHeaders headers = new RecordHeaders();
        if (traceparent != null) {
            headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.US_ASCII));
        }
        return headers;
    }
}
