package io.resnetstream.ingest;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.resnetstream.outcome.RejectReason;
import io.resnetstream.outcome.RejectedInputException;

import static org.assertj.core.api.Assertions.assertThat;

class UriFetcherTest {

    @TempDir
    Path temp;

    private HttpServer server;
    private ExecutorService serverThreads;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
            serverThreads.shutdownNow();
        }
    }

    @Test
    void fetchesAFileUnderAnAllowedDirectory() throws Exception {
        Path images = Files.createDirectories(temp.resolve("images"));
        byte[] content = {1, 2, 3, 4, 5};
        Files.write(images.resolve("a.jpg"), content);

        byte[] fetched =
                fileFetcher(images, 100).fetch(images.resolve("a.jpg").toUri().toString());

        assertThat(fetched).containsExactly(content);
    }

    @Test
    void dotDotCannotEscapeTheDirectory() throws Exception {
        Path images = Files.createDirectories(temp.resolve("images"));
        Files.writeString(temp.resolve("secret.txt"), "secret");
        UriFetcher fetcher = fileFetcher(images, 100);
        String base = images.toUri().toString(); // ends with "/"

        for (String escape : List.of(
                base + "../secret.txt",
                base + "%2e%2e/secret.txt",
                base + "..%2Fsecret.txt",
                base.substring(0, base.length() - 1) + "X/../../secret.txt",
                temp.resolve("secret.txt").toUri().toString())) {
            assertThat(reasonFor(fetcher, escape)).as(escape).isEqualTo(RejectReason.URI_NOT_ALLOWED);
        }
    }

    @Test
    void symbolicLinkLeadingOutsideIsRefused() throws Exception {
        // any link is refused, inside or out: the path is opened name by name without following one
        Path images = Files.createDirectories(temp.resolve("images"));
        Files.writeString(temp.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(images.resolve("link.jpg"), temp.resolve("secret.txt"));

        assertThat(reasonFor(
                        fileFetcher(images, 100),
                        images.resolve("link.jpg").toUri().toString()))
                .isEqualTo(RejectReason.URI_NOT_ALLOWED);
    }

    @Test
    void fileOverTheLimitIsTooLarge() throws Exception {
        Path images = Files.createDirectories(temp.resolve("images"));
        Files.write(images.resolve("exact.jpg"), new byte[100]);
        Files.write(images.resolve("big.jpg"), new byte[101]);
        UriFetcher fetcher = fileFetcher(images, 100);

        assertThat(fetcher.fetch(images.resolve("exact.jpg").toUri().toString()))
                .hasSize(100);
        assertThat(reasonFor(fetcher, images.resolve("big.jpg").toUri().toString()))
                .isEqualTo(RejectReason.TOO_LARGE);
    }

    @Test
    void missingFileOrDirectoryFailsToFetch() throws Exception {
        Path images = Files.createDirectories(temp.resolve("images"));
        Files.createDirectories(images.resolve("sub"));
        UriFetcher fetcher = fileFetcher(images, 100);

        assertThat(reasonFor(fetcher, images.resolve("missing.jpg").toUri().toString()))
                .isEqualTo(RejectReason.FETCH_FAILED);
        String directory = images.resolve("sub").toUri().toString(); // ends in "/"
        assertThat(reasonFor(fetcher, directory)).isEqualTo(RejectReason.URI_NOT_ALLOWED);
        assertThat(reasonFor(fetcher, directory.substring(0, directory.length() - 1)))
                .isEqualTo(RejectReason.FETCH_FAILED);
    }

    @Test
    void nothingIsAllowedByDefault() throws Exception {
        Files.write(temp.resolve("a.jpg"), new byte[] {1});
        UriFetcher fetcher = new UriFetcher(UriPolicy.none(), 100);

        assertThat(reasonFor(fetcher, temp.resolve("a.jpg").toUri().toString()))
                .isEqualTo(RejectReason.URI_NOT_ALLOWED);
        assertThat(reasonFor(fetcher, "http://127.0.0.1/a.jpg")).isEqualTo(RejectReason.URI_NOT_ALLOWED);
        assertThat(reasonFor(fetcher, "not a uri")).isEqualTo(RejectReason.URI_NOT_ALLOWED);
    }

    @Test
    void fetchesOverHttp() throws Exception {
        String base = startServer();
        UriFetcher fetcher = httpFetcher(base, 1000, Duration.ofSeconds(5));

        assertThat(fetcher.fetch(base + "images/ok")).containsExactly(new byte[] {10, 20, 30});
        assertThat(fetcher.fetch(base + "images/chunked")).hasSize(1000);
    }

    @Test
    void httpFailuresAreFetchFailed() throws Exception {
        String base = startServer();
        UriFetcher fetcher = httpFetcher(base, 1000, Duration.ofSeconds(5));

        assertThat(reasonFor(fetcher, base + "images/missing")).isEqualTo(RejectReason.FETCH_FAILED);
        assertThat(reasonFor(fetcher, base + "images/redirect"))
                .as("redirects are not followed")
                .isEqualTo(RejectReason.FETCH_FAILED);
        assertThat(reasonFor(fetcher, base + "elsewhere/ok")).isEqualTo(RejectReason.URI_NOT_ALLOWED);
    }

    @Test
    void httpBodyOverTheLimitIsTooLarge() throws Exception {
        String base = startServer();
        UriFetcher fetcher = httpFetcher(base, 999, Duration.ofSeconds(5));

        assertThat(reasonFor(fetcher, base + "images/chunked"))
                .as("no Content-Length")
                .isEqualTo(RejectReason.TOO_LARGE);
        assertThat(reasonFor(fetcher, base + "images/declared-huge"))
                .as("Content-Length")
                .isEqualTo(RejectReason.TOO_LARGE);
    }

    @Test
    void slowHttpBodyTimesOut() throws Exception {
        String base = startServer();
        UriFetcher fetcher = httpFetcher(base, 1000, Duration.ofMillis(500));

        long start = System.nanoTime();
        assertThat(reasonFor(fetcher, base + "images/slow")).isEqualTo(RejectReason.FETCH_FAILED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    private UriFetcher fileFetcher(Path directory, long maxBytes) {
        return new UriFetcher(
                new UriPolicy(Set.of("file"), List.of(directory.toUri().toString())), maxBytes);
    }

    /** The test server is on loopback, which is refused unless a network allows it. */
    private static UriFetcher httpFetcher(String base, long maxBytes, Duration timeout) {
        return new UriFetcher(
                new UriPolicy(Set.of("http"), List.of(base + "images/"), List.of("127.0.0.1/32")),
                maxBytes,
                timeout,
                UriFetcher.Retry.NONE,
                UriFetcher.HostResolver.SYSTEM,
                null);
    }

    private static RejectReason reasonFor(UriFetcher fetcher, String uri) {
        try {
            fetcher.fetch(uri);
        } catch (RejectedInputException e) {
            return e.reason();
        }
        throw new AssertionError("fetched " + uri);
    }

    /** A local server: ok, chunked (1000 bytes, no length), declared-huge, slow, redirect; the rest 404. */
    private String startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                switch (exchange.getRequestURI().getPath()) {
                    case "/images/ok", "/elsewhere/ok" -> {
                        exchange.sendResponseHeaders(200, 3);
                        exchange.getResponseBody().write(new byte[] {10, 20, 30});
                    }
                    case "/images/chunked" -> {
                        exchange.sendResponseHeaders(200, 0);
                        try (OutputStream body = exchange.getResponseBody()) {
                            for (int i = 0; i < 10; i++) {
                                body.write(new byte[100]);
                                body.flush();
                            }
                        }
                    }
                    case "/images/declared-huge" -> {
                        exchange.sendResponseHeaders(200, 1_000_000);
                        exchange.getResponseBody().write(new byte[1_000_000]);
                    }
                    case "/images/slow" -> {
                        exchange.sendResponseHeaders(200, 1000);
                        OutputStream body = exchange.getResponseBody();
                        for (int i = 0; i < 100; i++) {
                            body.write(new byte[10]);
                            body.flush();
                            sleep(100);
                        }
                    }
                    case "/images/redirect" -> {
                        exchange.getResponseHeaders().add("Location", "/images/ok");
                        exchange.sendResponseHeaders(302, -1);
                    }
                    default -> exchange.sendResponseHeaders(404, -1);
                }
            } catch (IOException e) {
                // the client hung up early (as it should on a too-large or slow body)
            }
        });
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
