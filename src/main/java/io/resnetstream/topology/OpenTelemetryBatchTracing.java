package io.resnetstream.topology;

import java.util.List;
import java.util.function.Supplier;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

import io.resnetstream.batching.BatchTracing;

/**
 * A span per batch, linked to the trace context of each image in it. A batch serves many traces at once, so it is the
 * child of none of them: each image's trace reaches it through a link (the OpenTelemetry messaging conventions for a
 * batch). The span runs on the inference thread around the whole batch: decoding, cropping, the forward pass. With the
 * SDK disabled (the default, {@code quarkus.otel.sdk.disabled=true}) the tracer is a no-op.
 */
final class OpenTelemetryBatchTracing implements BatchTracing {
    static final String SPAN_NAME = "classify batch";
    static final AttributeKey<Long> BATCH_IMAGES = AttributeKey.longKey("resnet.batch.images");
    static final AttributeKey<Long> BATCH_TRACED = AttributeKey.longKey("resnet.batch.traced_images");

    private final Tracer tracer;

    OpenTelemetryBatchTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("io.resnetstream");
    }

    @Override
    public <T> T around(List<String> traceparents, Supplier<T> batch) {
        SpanBuilder builder = tracer.spanBuilder(SPAN_NAME)
                .setSpanKind(SpanKind.INTERNAL)
                .setNoParent()
                .setAttribute(BATCH_IMAGES, (long) traceparents.size());
        long traced = 0;
        for (String traceparent : traceparents) {
            SpanContext context = TraceContexts.spanContext(traceparent);
            if (context.isValid()) {
                builder.addLink(context);
                traced++;
            }
        }
        Span span = builder.setAttribute(BATCH_TRACED, traced).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return batch.get();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, "the batch failed");
            throw e;
        } finally {
            span.end();
        }
    }
}
