package io.resnetstream.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

/**
 * Fetches an image given by reference, within a {@link UriPolicy} and a byte limit. Reads at most
 * {@code maxBytes + 1} bytes whatever the source claims. HTTP redirects are not followed (a redirect
 * could leave the allowed prefixes); only status 200 is accepted; the whole exchange, body included,
 * must finish within the timeout. Thread-safe.
 */
public final class UriFetcher {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] NO_BODY = new byte[0];

    private final UriPolicy policy;
    private final long maxBytes;
    private final Duration timeout;
    /** Null unless the policy allows http or https. */
    private final HttpClient http;

    public UriFetcher(UriPolicy policy, long maxBytes) {
        this(policy, maxBytes, DEFAULT_TIMEOUT);
    }

    public UriFetcher(UriPolicy policy, long maxBytes, Duration timeout) {
        if (maxBytes <= 0 || maxBytes >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBytes must be positive and fit an array: " + maxBytes);
        }
        this.policy = policy;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        boolean webAllowed = policy.allowedSchemes().contains("http")
                || policy.allowedSchemes().contains("https");
        this.http = webAllowed
                ? HttpClient.newBuilder()
                        .connectTimeout(timeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build()
                : null;
    }

    /**
     * Whether the policy allows {@code uri} as written: the cheap check intake makes before buffering the
     * reference, with no I/O (no name resolution, no file access); {@link #fetch} checks again, fully.
     */
    public void check(String uri) throws RejectedInputException {
        allowed(uri);
    }

    /** The bytes at {@code uri}; rejects with URI_NOT_ALLOWED, FETCH_FAILED or TOO_LARGE. */
    public byte[] fetch(String uri) throws RejectedInputException {
        URI parsed = allowed(uri);
        return parsed.getScheme().equalsIgnoreCase("file") ? fetchFile(parsed) : fetchHttp(parsed);
    }

    private URI allowed(String uri) throws RejectedInputException {
        URI parsed;
        try {
            parsed = new URI(uri).normalize();
        } catch (URISyntaxException e) {
            throw new RejectedInputException(RejectReason.URI_NOT_ALLOWED, "not a URI: " + e.getMessage(), e);
        }
        if (!policy.allows(parsed)) {
            throw new RejectedInputException(RejectReason.URI_NOT_ALLOWED, "URI not allowed: " + uri);
        }
        return parsed;
    }

    private byte[] fetchFile(URI uri) throws RejectedInputException {
        Path real;
        try {
            real = Path.of(uri.getPath()).toRealPath();
        } catch (NoSuchFileException e) {
            throw failed(uri, "no such file", e);
        } catch (IOException e) {
            throw failed(uri, e.toString(), e);
        }
        if (!policy.allowsRealFile(real)) {
            throw new RejectedInputException(
                    RejectReason.URI_NOT_ALLOWED, "URI leads outside the allowed prefixes: " + uri);
        }
        if (!Files.isRegularFile(real)) {
            throw failed(uri, "not a regular file", null); // a FIFO or device could block or never end
        }
        try (InputStream in = Files.newInputStream(real)) {
            byte[] data = in.readNBytes((int) maxBytes + 1);
            if (data.length > maxBytes) {
                throw new RejectedInputException(RejectReason.TOO_LARGE, uri + " is over " + maxBytes + " bytes");
            }
            return data;
        } catch (IOException e) {
            throw failed(uri, e.toString(), e);
        }
    }

    private byte[] fetchHttp(URI uri) throws RejectedInputException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, this::limitedBody);
        try {
            HttpResponse<byte[]> response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (response.statusCode() != 200) {
                throw failed(uri, "HTTP status " + response.statusCode(), null);
            }
            return response.body();
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw failed(uri, "no complete response within " + timeout, e);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw failed(uri, "interrupted", e);
        } catch (ExecutionException e) {
            if (hasCause(e, BodyTooLarge.class)) {
                throw new RejectedInputException(RejectReason.TOO_LARGE, uri + " is over " + maxBytes + " bytes", e);
            }
            throw failed(uri, String.valueOf(e.getCause()), e);
        }
    }

    /** Non-200 bodies are discarded unread; a declared or actual length over the limit stops the transfer. */
    private BodySubscriber<byte[]> limitedBody(ResponseInfo info) {
        if (info.statusCode() != 200) {
            return BodySubscribers.replacing(NO_BODY);
        }
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        return new LimitedBodySubscriber(maxBytes, declared);
    }

    private static RejectedInputException failed(URI uri, String why, Throwable cause) {
        return new RejectedInputException(RejectReason.FETCH_FAILED, "cannot fetch " + uri + ": " + why, cause);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Signals, through the body future, that the limit was passed. */
    private static final class BodyTooLarge extends IOException {
        BodyTooLarge() {
            super("body over the byte limit");
        }
    }

    /** Collects a response body up to a limit, cancelling the transfer as soon as the limit is passed. */
    private static final class LimitedBodySubscriber implements BodySubscriber<byte[]> {
        private final long limit;
        private final long declaredLength;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private byte[] buffer;
        private int size;

        LimitedBodySubscriber(long limit, long declaredLength) {
            this.limit = limit;
            this.declaredLength = declaredLength;
            this.buffer = new byte[(int) Math.min(limit + 1, declaredLength >= 0 ? declaredLength : 64 * 1024)];
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (declaredLength > limit) {
                tooLarge();
            } else {
                subscription.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> chunks) {
            if (body.isDone()) {
                return; // cancelled already; chunks in flight are dropped
            }
            for (ByteBuffer chunk : chunks) {
                int length = chunk.remaining();
                if (size + (long) length > limit) {
                    tooLarge();
                    return;
                }
                if (size + length > buffer.length) {
                    buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max(2L * buffer.length, size + length)));
                }
                chunk.get(buffer, size, length);
                size += length;
            }
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            body.complete(Arrays.copyOf(buffer, size));
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        private void tooLarge() {
            subscription.cancel();
            body.completeExceptionally(new BodyTooLarge());
        }
    }
}
