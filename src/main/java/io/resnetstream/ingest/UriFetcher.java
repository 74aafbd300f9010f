package io.resnetstream.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.jboss.logging.Logger;

import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

/**
 * Fetches an image given by reference, within a {@link UriPolicy} and a byte limit; reads at most
 * {@code maxBytes + 1} bytes whatever the source claims. Thread-safe.
 *
 * <p><b>HTTP(S).</b> The host name is resolved once, by the {@link HostResolver}; every address it gives must pass
 * {@link AddressRules}, and the connection goes to one of those very addresses ({@link HttpHost} with the address
 * set: Apache HttpClient then connects to it without resolving again, while the Host header, TLS SNI and the
 * certificate's hostname check all still use the name). A second, rebound answer is never asked for within an
 * attempt; the client's own resolver is one that refuses every name, so no path can resolve behind the check. No
 * proxy, no redirect (a 3xx is a permanent failure), no content decoding, no cookies. Only status 200 is an image.
 *
 * <p><b>Retries.</b> A transient failure (no answer within the timeout, connection refused or reset, a name that
 * does not resolve, HTTP 408, 429 or 5xx) is tried again after an exponential backoff with jitter, up to
 * {@code maxAttempts} attempts; each attempt is bounded by the timeout, so a fetch takes at most
 * {@code maxAttempts × timeout + backoff × (2^(maxAttempts-1) - 1)}. A permanent failure (not allowed, a refused
 * address, 404 and every other 4xx, 3xx, too large, not a regular file) is rejected at once. The rejection's
 * message says which, and names the URI only in its {@link UriRedaction redacted} form.
 *
 * <p><b>file:</b> the path is walked from the allowed directory one name at a time ({@link SecureDirectoryStream},
 * {@code openat} with {@code O_NOFOLLOW}): a symbolic link anywhere below the allowed directory is refused, also
 * one swapped in after the check, and the file opened must be the regular file that was checked (same file key).
 */
public final class UriFetcher {
    private static final Logger LOG = Logger.getLogger(UriFetcher.class);

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Resolves a host name to its addresses: the system's resolver in the service, a test's own in tests. */
    @FunctionalInterface
    public interface HostResolver {
        HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /** How often a transient failure is tried, and the first wait (doubled after each attempt). */
    public record Retry(int maxAttempts, Duration backoff) {
        public static final Retry DEFAULT = new Retry(3, Duration.ofMillis(500));
        public static final Retry NONE = new Retry(1, Duration.ZERO);

        public Retry {
            if (maxAttempts < 1 || backoff.isNegative()) {
                throw new IllegalArgumentException("max-attempts must be at least 1 and backoff not negative");
            }
        }

        /** The longest a fetch can take with these retries and this timeout per attempt. */
        public Duration worstCase(Duration timeout) {
            long waits = backoff.toMillis() * ((1L << Math.min(maxAttempts - 1, 30)) - 1);
            return timeout.multipliedBy(maxAttempts).plusMillis(waits);
        }
    }

    private final UriPolicy policy;
    private final AddressRules addresses;
    private final long maxBytes;
    private final Duration timeout;
    private final Retry retry;
    private final HostResolver resolver;
    /** Null unless the policy allows http or https. */
    private final CloseableHttpClient http;
    /** Cuts an HTTP exchange off at its deadline, body included. */
    private final ScheduledThreadPoolExecutor deadlines;

    public UriFetcher(UriPolicy policy, long maxBytes) {
        this(policy, maxBytes, DEFAULT_TIMEOUT);
    }

    public UriFetcher(UriPolicy policy, long maxBytes, Duration timeout) {
        this(policy, maxBytes, timeout, Retry.DEFAULT, HostResolver.SYSTEM, null);
    }

    /**
     * @param timeout  bound on one attempt: connecting, waiting, and reading the whole body
     * @param resolver resolves host names once per attempt
     * @param tls      the TLS context for https, or null for the JVM's default (its trusted CAs)
     */
    public UriFetcher(
            UriPolicy policy, long maxBytes, Duration timeout, Retry retry, HostResolver resolver, SSLContext tls) {
        if (maxBytes <= 0 || maxBytes >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBytes must be positive and fit an array: " + maxBytes);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the fetch timeout must be positive: " + timeout);
        }
        this.policy = policy;
        this.addresses = policy.addressRules();
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.retry = retry;
        this.resolver = resolver;
        boolean webAllowed = policy.allowedSchemes().contains("http")
                || policy.allowedSchemes().contains("https");
        this.http = webAllowed ? httpClient(timeout, tls) : null;
        this.deadlines = webAllowed ? deadlineTimer() : null;
    }

    /**
     * Whether the policy allows {@code uri} as written: the cheap check intake makes before buffering the
     * reference, with no I/O (no name resolution, no file access); {@link #fetch} checks again, fully.
     */
    public void check(String uri) throws RejectedInputException {
        try {
            policy.target(uri);
        } catch (UriPolicy.Refused e) {
            throw new RejectedInputException(
                    RejectReason.URI_NOT_ALLOWED,
                    "URI not allowed: " + UriRedaction.redact(uri) + ": " + e.getMessage());
        }
    }

    /**
     * The bytes at {@code uri}.
     *
     * @throws RejectedInputException URI_NOT_ALLOWED, TOO_LARGE or FETCH_FAILED; its message says whether the failure
     *                                was permanent or transient (and after how many attempts), and quotes the URI
     *                                only redacted
     */
    public byte[] fetch(String uri) throws RejectedInputException {
        UriPolicy.Target target;
        try {
            target = policy.target(uri);
        } catch (UriPolicy.Refused e) {
            throw new RejectedInputException(
                    RejectReason.URI_NOT_ALLOWED,
                    "URI not allowed: " + UriRedaction.redact(uri) + ": " + e.getMessage());
        }
        String where = target.describe();
        for (int attempt = 1; ; attempt++) {
            try {
                return target.scheme().equals("file") ? fetchFile(target) : fetchHttp(target);
            } catch (Failure f) {
                if (!f.transientFailure) {
                    String prefix = f.reason == RejectReason.URI_NOT_ALLOWED ? "URI not allowed: " : "cannot fetch ";
                    throw new RejectedInputException(
                            f.reason, prefix + where + ": " + f.getMessage() + " (permanent, attempt " + attempt + ")");
                }
                if (attempt >= retry.maxAttempts()) {
                    throw new RejectedInputException(
                            f.reason,
                            "cannot fetch " + where + ": " + f.getMessage() + " (transient, gave up after " + attempt
                                    + (attempt == 1 ? " attempt)" : " attempts)"));
                }
                long wait = backoffMillis(attempt);
                LOG.debugf(
                        "fetch of %s failed (%s), attempt %d of %d; next in %d ms",
                        where, f.getMessage(), attempt, retry.maxAttempts(), wait);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RejectedInputException(
                            RejectReason.FETCH_FAILED,
                            "cannot fetch " + where + ": interrupted after " + attempt + " attempts");
                }
            }
        }
    }

    /**
     * The decision alone, without connecting: the addresses a fetch of {@code uri} would connect to (none for a
     * {@code file:} URI), or the rejection it would end in. For tests and for the table in docs/operations.md.
     */
    List<InetAddress> admit(String uri) throws RejectedInputException {
        UriPolicy.Target target;
        try {
            target = policy.target(uri);
        } catch (UriPolicy.Refused e) {
            throw new RejectedInputException(
                    RejectReason.URI_NOT_ALLOWED,
                    "URI not allowed: " + UriRedaction.redact(uri) + ": " + e.getMessage());
        }
        if (target.scheme().equals("file")) {
            return List.of();
        }
        try {
            return checkedAddresses(target);
        } catch (Failure f) {
            throw new RejectedInputException(f.reason, target.describe() + ": " + f.getMessage());
        }
    }

    /** backoff × 2^(attempt-1), with "equal jitter": between half and all of it, so retries of many images spread. */
    private long backoffMillis(int attempt) {
        long full = retry.backoff().toMillis() << Math.min(attempt - 1, 30);
        return full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1);
    }

    // ---- HTTP

    private byte[] fetchHttp(UriPolicy.Target target) throws Failure {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<InetAddress> candidates = checkedAddresses(target);
        Failure unreachable = null;
        for (InetAddress address : candidates) {
            try {
                return exchange(target, address, deadline);
            } catch (Unreachable u) {
                unreachable = u.failure; // try the host's next (checked) address
            }
        }
        throw unreachable;
    }

    /** Resolves the host once and checks every address it has: one refused address refuses the host. */
    private List<InetAddress> checkedAddresses(UriPolicy.Target target) throws Failure {
        List<InetAddress> candidates;
        if (target.literal() != null) {
            candidates = List.of(target.literal());
        } else {
            try {
                candidates = List.copyOf(resolver.resolve(target.host()));
            } catch (UnknownHostException e) {
                throw Failure.transientOne(RejectReason.FETCH_FAILED, "the host name does not resolve");
            }
            if (candidates.isEmpty()) {
                throw Failure.transientOne(RejectReason.FETCH_FAILED, "the host name has no address");
            }
        }
        for (InetAddress address : candidates) {
            var refusal = addresses.refusal(address);
            if (refusal.isPresent()) {
                throw Failure.permanent(RejectReason.URI_NOT_ALLOWED, "the host resolves to " + refusal.get());
            }
        }
        return candidates;
    }

    /** Thrown when no connection could be made to one address: the next may do. */
    private static final class Unreachable extends Exception {
        final Failure failure;

        Unreachable(Failure failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    private byte[] exchange(UriPolicy.Target target, InetAddress address, long deadline) throws Failure, Unreachable {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw Failure.transientOne(RejectReason.FETCH_FAILED, "no complete response within " + timeout);
        }
        HttpHost pinned = new HttpHost(target.scheme(), address, target.host(), target.port());
        HttpGet get;
        try {
            get = new HttpGet(target.requestTarget());
        } catch (IllegalArgumentException e) { // its message would quote the target, query included
            throw Failure.permanent(RejectReason.URI_NOT_ALLOWED, "the request target is not a valid URI");
        }
        ScheduledFuture<?> cutOff = deadlines.schedule(get::cancel, remaining, TimeUnit.NANOSECONDS);
        try (ClassicHttpResponse response = http.executeOpen(pinned, get, null)) {
            int status = response.getCode();
            if (status != 200) {
                get.cancel(); // drop the connection rather than read a body nobody wants
                boolean transientStatus = status == 408 || status == 429 || status >= 500;
                String what = "HTTP status " + status + (status / 100 == 3 ? " (redirects are not followed)" : "");
                throw transientStatus
                        ? Failure.transientOne(RejectReason.FETCH_FAILED, what)
                        : Failure.permanent(RejectReason.FETCH_FAILED, what);
            }
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                return new byte[0];
            }
            if (entity.getContentLength() > maxBytes) {
                get.cancel();
                throw Failure.permanent(
                        RejectReason.TOO_LARGE, "declares " + entity.getContentLength() + " bytes, over " + maxBytes);
            }
            InputStream in = entity.getContent();
            byte[] body = in.readNBytes((int) maxBytes + 1);
            if (body.length > maxBytes) {
                // closing the stream would read the rest of an endless body: abort the connection instead
                get.cancel();
                throw Failure.permanent(RejectReason.TOO_LARGE, "is over " + maxBytes + " bytes");
            }
            in.close(); // at its end: the connection can serve the next fetch
            return body;
        } catch (ConnectTimeoutException | ConnectException | NoRouteToHostException e) {
            throw new Unreachable(Failure.transientOne(
                    RejectReason.FETCH_FAILED, "cannot connect to " + address.getHostAddress() + ": " + brief(e)));
        } catch (SSLPeerUnverifiedException e) {
            throw Failure.permanent(RejectReason.FETCH_FAILED, "TLS: the certificate does not match: " + brief(e));
        } catch (SSLException e) {
            if (hasCause(e, CertificateException.class)) {
                throw Failure.permanent(RejectReason.FETCH_FAILED, "TLS: the certificate is not trusted: " + brief(e));
            }
            throw Failure.transientOne(RejectReason.FETCH_FAILED, "TLS: " + brief(e));
        } catch (IOException e) {
            if (get.isCancelled() || System.nanoTime() - deadline >= 0) {
                throw Failure.transientOne(RejectReason.FETCH_FAILED, "no complete response within " + timeout);
            }
            throw Failure.transientOne(RejectReason.FETCH_FAILED, brief(e));
        } catch (RuntimeException e) {
            // an unforeseen failure of the client; its message is not quoted (it might hold the request target)
            throw Failure.permanent(
                    RejectReason.FETCH_FAILED,
                    "the request failed: " + e.getClass().getSimpleName());
        } finally {
            cutOff.cancel(false);
        }
    }

    private static CloseableHttpClient httpClient(Duration timeout, SSLContext tls) {
        Timeout limit = Timeout.of(timeout);
        DnsResolver noLookups = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                throw new UnknownHostException("the fetcher connects only to addresses it has checked");
            }

            @Override
            public String resolveCanonicalHostname(String host) throws UnknownHostException {
                throw new UnknownHostException("the fetcher connects only to addresses it has checked");
            }
        };
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(noLookups)
                        .setTlsSocketStrategy(
                                tls == null
                                        ? DefaultClientTlsStrategy.createDefault()
                                        : new DefaultClientTlsStrategy(tls))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(limit)
                                .setSocketTimeout(limit)
                                .build())
                        .setMaxConnTotal(64)
                        .setMaxConnPerRoute(16)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(limit)
                        .setResponseTimeout(limit)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("resnet-stream")
                .build();
    }

    private static ScheduledThreadPoolExecutor deadlineTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "uri-fetch-deadline");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setKeepAliveTime(10, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        return timer;
    }

    // ---- file

    private byte[] fetchFile(UriPolicy.Target target) throws Failure {
        Path root = Path.of("/" + String.join("/", target.base()));
        List<String> below = target.segments()
                .subList(target.base().size(), target.segments().size());
        Deque<DirectoryStream<Path>> open = new ArrayDeque<>();
        try {
            DirectoryStream<Path> top = Files.newDirectoryStream(root);
            open.push(top);
            if (!(top instanceof SecureDirectoryStream<Path> directory)) {
                throw Failure.permanent(
                        RejectReason.FETCH_FAILED, "this platform cannot open files without following links");
            }
            for (String name : below.subList(0, below.size() - 1)) {
                Path child = Path.of(name);
                BasicFileAttributes kind = attributes(directory, child);
                if (kind.isSymbolicLink()) {
                    throw Failure.permanent(RejectReason.URI_NOT_ALLOWED, "a symbolic link (links are not followed)");
                }
                if (!kind.isDirectory()) {
                    throw Failure.permanent(RejectReason.FETCH_FAILED, "a path element is no directory");
                }
                SecureDirectoryStream<Path> next = directory.newDirectoryStream(child, LinkOption.NOFOLLOW_LINKS);
                open.push(next);
                directory = next;
            }
            return readRegularFile(directory, Path.of(below.get(below.size() - 1)));
        } catch (NoSuchFileException e) {
            throw Failure.permanent(RejectReason.FETCH_FAILED, "no such file");
        } catch (NotDirectoryException e) {
            throw Failure.permanent(RejectReason.FETCH_FAILED, "a path element is no directory");
        } catch (FileSystemException e) {
            if (String.valueOf(e.getReason()).contains("symbolic link")) {
                throw Failure.permanent(RejectReason.URI_NOT_ALLOWED, "a symbolic link (links are not followed)");
            }
            throw Failure.transientOne(RejectReason.FETCH_FAILED, "file system: " + e.getReason());
        } catch (IOException e) {
            throw Failure.transientOne(
                    RejectReason.FETCH_FAILED, "I/O error: " + e.getClass().getSimpleName());
        } finally {
            while (!open.isEmpty()) {
                try {
                    open.pop().close();
                } catch (IOException e) {
                    // nothing was written; a failed close of a directory loses nothing
                }
            }
        }
    }

    /** Opens {@code name} without following a link, and reads it only if it is the regular file that was checked. */
    private byte[] readRegularFile(SecureDirectoryStream<Path> directory, Path name) throws IOException, Failure {
        BasicFileAttributes before = attributes(directory, name);
        if (before.isSymbolicLink()) {
            throw Failure.permanent(RejectReason.URI_NOT_ALLOWED, "a symbolic link (links are not followed)");
        }
        if (!before.isRegularFile()) {
            // a FIFO would block the open, a device never end, a link lead anywhere
            throw Failure.permanent(
                    RejectReason.FETCH_FAILED, "not a regular file (a link, directory, FIFO or device)");
        }
        if (before.size() > maxBytes) {
            throw Failure.permanent(RejectReason.TOO_LARGE, "is " + before.size() + " bytes, over " + maxBytes);
        }
        try (SeekableByteChannel channel =
                directory.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            BasicFileAttributes after = attributes(directory, name);
            if (!after.isRegularFile() || !Objects.equals(before.fileKey(), after.fileKey())) {
                throw Failure.permanent(RejectReason.FETCH_FAILED, "the file was replaced while it was opened");
            }
            channel.position(0); // fails on anything but a seekable file
            byte[] data = Channels.newInputStream(channel).readNBytes((int) maxBytes + 1);
            if (data.length > maxBytes) {
                throw Failure.permanent(RejectReason.TOO_LARGE, "is over " + maxBytes + " bytes");
            }
            return data;
        }
    }

    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> directory, Path name) throws IOException {
        return directory
                .getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
    }

    // ---- failures

    /** One attempt's failure: the reason it would be rejected with, and whether another attempt may succeed. */
    private static final class Failure extends Exception {
        final RejectReason reason;
        final boolean transientFailure;

        private Failure(RejectReason reason, boolean transientFailure, String detail) {
            super(detail, null, false, false); // no cause, no stack: nothing that could quote the URI travels on
            this.reason = reason;
            this.transientFailure = transientFailure;
        }

        static Failure permanent(RejectReason reason, String detail) {
            return new Failure(reason, false, detail);
        }

        static Failure transientOne(RejectReason reason, String detail) {
            return new Failure(reason, true, detail);
        }
    }

    /** A library exception in a few words, with any URI secret in its message redacted. */
    private static String brief(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + UriRedaction.scrub(message));
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
