package io.resnetstream.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * What the fetcher does on the wire: transient failures retried with backoff, permanent ones not; the connection goes
 * to the address that was checked (a rebinding resolver cannot steer it elsewhere; TLS still checks the name);
 * {@code file:} refuses links, FIFOs and devices without blocking. A local server counts every request.
 */
class FetchRetriesAndPinningTest {
    private static final byte[] IMAGE = {10, 20, 30};
    private static final UriFetcher.Retry FAST_RETRY = new UriFetcher.Retry(3, Duration.ofMillis(20));

    @TempDir
    Path temp;

    private HttpServer server;
    private ExecutorService serverThreads;
    /** Statuses a path answers before it answers 200. */
    private final Map<String, Deque<Integer>> script = new ConcurrentHashMap<>();

    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Queue<String> hostHeaders = new ConcurrentLinkedQueue<>();
    private final Queue<String> sniNames = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
            serverThreads.shutdownNow();
        }
    }

    @Test
    void transientFailuresAreRetriedUntilOneSucceeds() throws Exception {
        int port = start(null);
        script.put("/images/flaky", new ArrayDeque<>(List.of(503, 429, 200)));

        byte[] fetched = loopbackFetcher(port, FAST_RETRY).fetch(url(port, "/images/flaky"));

        assertThat(fetched).containsExactly(IMAGE);
        assertThat(count("/images/flaky")).isEqualTo(3);
    }

    @Test
    void aTransientFailureThatLastsIsRejectedAfterMaxAttemptsAndSaysSo() throws Exception {
        int port = start(null);
        script.put("/images/down", new ArrayDeque<>(List.of(503, 503, 503, 503, 503)));

        assertThatThrownBy(() -> loopbackFetcher(port, FAST_RETRY).fetch(url(port, "/images/down")))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.FETCH_FAILED);
                    assertThat(e.getMessage()).contains("HTTP status 503", "transient, gave up after 3 attempts");
                });
        assertThat(count("/images/down")).isEqualTo(3);
    }

    @Test
    void permanentFailuresAreRejectedAtOnce() throws Exception {
        int port = start(null);
        UriFetcher fetcher = loopbackFetcher(port, FAST_RETRY);
        for (int status : new int[] {404, 403, 410, 400, 302, 301, 204}) {
            String path = "/images/status-" + status;
            script.put(path, new ArrayDeque<>(List.of(status, status, status)));

            assertThatThrownBy(() -> fetcher.fetch(url(port, path)))
                    .as("HTTP %d", status)
                    .isInstanceOfSatisfying(RejectedInputException.class, e -> {
                        assertThat(e.reason()).isEqualTo(RejectReason.FETCH_FAILED);
                        assertThat(e.getMessage()).contains("HTTP status " + status, "(permanent, attempt 1)");
                    });
            assertThat(count(path)).as("requests for HTTP %d", status).isEqualTo(1);
        }
        assertThat(count("/images/ok"))
                .as("a redirect's target is never requested")
                .isZero();
    }

    @Test
    void anImageOverTheLimitIsRejectedAtOnce() throws Exception {
        int port = start(null);

        assertThatThrownBy(() -> loopbackFetcher(port, FAST_RETRY).fetch(url(port, "/images/huge")))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> assertThat(e.reason())
                        .isEqualTo(RejectReason.TOO_LARGE));
        assertThat(count("/images/huge")).isEqualTo(1);
    }

    @Test
    void anEndlessBodyIsTooLargeAtOnceNotATimeout() throws Exception {
        int port = start(null);
        long start = System.nanoTime();

        assertThatThrownBy(() -> loopbackFetcher(port, FAST_RETRY).fetch(url(port, "/images/endless")))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> assertThat(e.reason())
                        .isEqualTo(RejectReason.TOO_LARGE));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(count("/images/endless")).isEqualTo(1);
    }

    @Test
    void aRefusedConnectionIsTransient() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        long start = System.nanoTime();

        assertThatThrownBy(() -> loopbackFetcher(closed, FAST_RETRY).fetch(url(closed, "/images/ok")))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.FETCH_FAILED);
                    assertThat(e.getMessage()).contains("cannot connect", "transient, gave up after 3 attempts");
                });
        // two waits: 10-20 ms, then 20-40 ms
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(30));
    }

    @Test
    void everyAttemptIsBoundedByTheTimeoutAndSoIsTheWhole() throws Exception {
        int port = start(null);
        UriFetcher fetcher = new UriFetcher(
                loopbackPolicy(port),
                1000,
                Duration.ofMillis(300),
                new UriFetcher.Retry(2, Duration.ofMillis(10)),
                UriFetcher.HostResolver.SYSTEM,
                null);
        long start = System.nanoTime();

        assertThatThrownBy(() -> fetcher.fetch(url(port, "/images/slow")))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> assertThat(e.getMessage())
                        .contains("no complete response within", "gave up after 2 attempts"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(600)).isLessThan(Duration.ofMillis(2500));
        assertThat(count("/images/slow")).isEqualTo(2);
    }

    @Test
    void theConnectionGoesToTheAddressThatWasCheckedUnderTheHostsName() throws Exception {
        int port = start(null);
        AtomicInteger lookups = new AtomicInteger();
        UriFetcher fetcher = namedFetcher(port, List.of("127.0.0.1/32"), host -> {
            lookups.incrementAndGet();
            return List.of(address(host, "127.0.0.1"));
        });

        // images.test exists in no DNS: had anything resolved it a second time, the fetch would fail
        assertThat(fetcher.fetch("http://images.test:" + port + "/images/ok")).containsExactly(IMAGE);
        assertThat(lookups).hasValue(1);
        assertThat(hostHeaders).containsExactly("images.test:" + port);
    }

    @Test
    void aNameReboundToAPrivateAddressIsNeverFetchedFromIt() throws Exception {
        int port = start(null);
        AtomicInteger lookups = new AtomicInteger();
        // the first answer is allowed (nothing listens there), every later one is loopback, where the server is
        UriFetcher fetcher = namedFetcher(
                port,
                List.of("127.0.0.2/32"),
                host -> List.of(
                        lookups.incrementAndGet() == 1 ? address(host, "127.0.0.2") : address(host, "127.0.0.1")));

        assertThatThrownBy(() -> fetcher.fetch("http://images.test:" + port + "/images/ok"))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.URI_NOT_ALLOWED);
                    assertThat(e.getMessage()).contains("loopback address 127.0.0.1");
                });
        assertThat(lookups).hasValue(2); // the second attempt looked again, and refused what it got
        assertThat(count("/images/ok")).isZero();
    }

    @Test
    void oneRefusedAddressAmongSeveralRefusesTheHost() throws Exception {
        int port = start(null);
        UriFetcher fetcher = namedFetcher(
                port, List.of("127.0.0.1/32"), host -> List.of(address(host, "127.0.0.1"), address(host, "10.1.2.3")));

        assertThatThrownBy(() -> fetcher.fetch("http://images.test:" + port + "/images/ok"))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> assertThat(e.getMessage())
                        .contains("private address 10.1.2.3"));
        assertThat(count("/images/ok")).isZero();
    }

    @Test
    void aNameThatDoesNotResolveIsTransient() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        UriFetcher fetcher = namedFetcher(1, List.of(), host -> {
            lookups.incrementAndGet();
            throw new UnknownHostException(host);
        });

        assertThatThrownBy(() -> fetcher.fetch("http://images.test:1/images/ok"))
                .isInstanceOfSatisfying(RejectedInputException.class, e -> assertThat(e.getMessage())
                        .contains("does not resolve", "gave up after 3 attempts"));
        assertThat(lookups).hasValue(3);
    }

    @Test
    void cloudMetadataStaysRefusedWhateverNetworksAreAllowed() throws Exception {
        AddressRules everything = new AddressRules(List.of("0.0.0.0/0", "::/0"));

        assertThat(everything.refusal(InetAddress.getByName("169.254.169.254"))).isPresent();
        assertThat(everything.refusal(InetAddress.getByName("fd00:ec2::254"))).isPresent();
        assertThat(everything.refusal(InetAddress.getByName("10.0.0.1"))).isEmpty();
        assertThat(new AddressRules(List.of()).refusal(InetAddress.getByName("10.0.0.1")))
                .isPresent();
        assertThatThrownBy(() -> new AddressRules(List.of("example.com/8")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AddressRules(List.of("10.0.0.0/33"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void httpsToThePinnedAddressStillSendsTheNameAndChecksTheCertificateAgainstIt() throws Exception {
        SSLContext tls = selfSigned("images.test");
        int port = start(tls);
        UriFetcher fetcher = new UriFetcher(
                new UriPolicy(
                        Set.of("https"),
                        List.of("https://images.test:" + port + "/images/", "https://other.test:" + port + "/images/"),
                        List.of("127.0.0.1/32")),
                1000,
                Duration.ofSeconds(5),
                FAST_RETRY,
                host -> List.of(address(host, "127.0.0.1")),
                tls);

        assertThat(fetcher.fetch("https://images.test:" + port + "/images/ok")).containsExactly(IMAGE);
        assertThat(sniNames).contains("images.test");
        assertThatThrownBy(() -> fetcher.fetch("https://other.test:" + port + "/images/ok"))
                .as("the certificate names images.test, not other.test")
                .isInstanceOfSatisfying(RejectedInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.FETCH_FAILED);
                    assertThat(e.getMessage()).contains("TLS", "permanent");
                });
    }

    @Test
    void fifosDevicesAndLinkedDirectoriesAreRefusedWithoutBlocking() throws Exception {
        Path images = Files.createDirectories(temp.resolve("images"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.write(outside.resolve("a.jpg"), IMAGE);
        Files.createSymbolicLink(images.resolve("linked"), outside);
        Process mkfifo = new ProcessBuilder("mkfifo", images.resolve("pipe.jpg").toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        UriFetcher files = new UriFetcher(
                new UriPolicy(Set.of("file"), List.of(images.toUri().toString(), "file:/dev/")), 1000);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(reasonAndMessage(
                            files, images.resolve("pipe.jpg").toUri().toString()))
                    .startsWith("FETCH_FAILED")
                    .contains("not a regular file");
            assertThat(reasonAndMessage(files, "file:/dev/zero"))
                    .startsWith("FETCH_FAILED")
                    .contains("not a regular file");
            assertThat(reasonAndMessage(files, images.resolve("linked").toUri() + "a.jpg"))
                    .startsWith("URI_NOT_ALLOWED")
                    .contains("symbolic link");
        });
    }

    // ---- helpers

    private static String reasonAndMessage(UriFetcher fetcher, String uri) {
        try {
            fetcher.fetch(uri);
            return "fetched";
        } catch (RejectedInputException e) {
            return e.reason() + ": " + e.getMessage();
        }
    }

    private static InetAddress address(String host, String literal) throws UnknownHostException {
        return InetAddress.getByAddress(host, InetAddress.getByName(literal).getAddress());
    }

    private static String url(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private static UriPolicy loopbackPolicy(int port) {
        return new UriPolicy(Set.of("http"), List.of("http://127.0.0.1:" + port + "/images/"), List.of("127.0.0.1/32"));
    }

    private static UriFetcher loopbackFetcher(int port, UriFetcher.Retry retry) {
        return new UriFetcher(
                loopbackPolicy(port), 1000, Duration.ofSeconds(5), retry, UriFetcher.HostResolver.SYSTEM, null);
    }

    private static UriFetcher namedFetcher(int port, List<String> networks, UriFetcher.HostResolver resolver) {
        return new UriFetcher(
                new UriPolicy(Set.of("http"), List.of("http://images.test:" + port + "/images/"), networks),
                1000,
                Duration.ofSeconds(5),
                FAST_RETRY,
                resolver,
                null);
    }

    private int count(String path) {
        return requests.computeIfAbsent(path, p -> new AtomicInteger()).get();
    }

    /** A server on 127.0.0.1: /images/ok, scripted statuses, /images/huge, /images/slow; with tls, HTTPS. */
    private int start(SSLContext tls) throws IOException {
        InetSocketAddress where = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(where, 0);
        } else {
            HttpsServer https = HttpsServer.create(where, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters ssl = tls.getDefaultSSLParameters();
                    ssl.setSNIMatchers(List.of(new SNIMatcher(0) {
                        @Override
                        public boolean matches(SNIServerName name) {
                            sniNames.add(new SNIHostName(name.getEncoded()).getAsciiName());
                            return true;
                        }
                    }));
                    params.setSSLParameters(ssl);
                }
            });
            server = https;
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                hostHeaders.add(exchange.getRequestHeaders().getFirst("Host"));
                Deque<Integer> statuses = script.get(path);
                Integer status = statuses == null ? null : statuses.poll();
                if (status != null && status != 200) {
                    if (status / 100 == 3) {
                        exchange.getResponseHeaders().add("Location", "/images/ok");
                    }
                    exchange.sendResponseHeaders(status, -1);
                    return;
                }
                switch (path) {
                    case "/images/huge" -> {
                        exchange.sendResponseHeaders(200, 1_000_000);
                        exchange.getResponseBody().write(new byte[1_000_000]);
                    }
                    case "/images/endless" -> {
                        exchange.sendResponseHeaders(200, 0); // chunked, no length
                        OutputStream body = exchange.getResponseBody();
                        while (!Thread.currentThread().isInterrupted()) {
                            body.write(new byte[4096]);
                            body.flush();
                        }
                    }
                    case "/images/slow" -> {
                        exchange.sendResponseHeaders(200, 1000);
                        OutputStream body = exchange.getResponseBody();
                        for (int i = 0; i < 100; i++) {
                            body.write(new byte[10]);
                            body.flush();
                            Thread.sleep(50);
                        }
                    }
                    default -> {
                        if (statuses == null && !path.equals("/images/ok")) {
                            exchange.sendResponseHeaders(404, -1);
                            return;
                        }
                        exchange.sendResponseHeaders(200, IMAGE.length);
                        exchange.getResponseBody().write(IMAGE);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client hung up (as it should on a slow or large body)
            }
        });
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.start();
        return server.getAddress().getPort();
    }

    /** A key pair for {@code name} made by keytool, as the server's identity and the client's only trust. */
    private SSLContext selfSigned(String name) throws Exception {
        Path p12 = temp.resolve("server.p12");
        char[] password = "changeit".toCharArray();
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=" + name,
                        "-ext",
                        "SAN=dns:" + name,
                        "-validity",
                        "2",
                        "-keystore",
                        p12.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        "changeit")
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("keytool.log").toFile())
                .start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}
