package io.resnetstream.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

/**
 * A canned-answer HTTP server for unit tests: what the client sends (headers, auth, paths) and how it
 * treats answers a real registry gives only with effort (500 pages, auth, TLS). Unknown requests get 404.
 */
public final class FakeRegistryServer implements AutoCloseable {

    /** One request as the server saw it. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body) {
        /** The first value of a header, matched ignoring case. */
        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(header -> header.getKey().equalsIgnoreCase(name))
                    .map(header -> header.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    private record Answer(int status, String contentType, String body) {}

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private FakeRegistryServer(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeRegistryServer http() throws IOException {
        return new FakeRegistryServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
    }

    /** An HTTPS server with this context; {@code needClientAuth} demands a client certificate. */
    public static FakeRegistryServer https(SSLContext context, boolean needClientAuth) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(parameters);
            }
        });
        return new FakeRegistryServer(server);
    }

    /** The base URL, like {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    public String url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7";
    }

    /** Answers {@code method path} (path below the base URL, query included) with a JSON body. */
    public FakeRegistryServer answer(String method, String path, int status, String json) {
        return answer(method, path, status, "application/vnd.schemaregistry.v1+json", json);
    }

    public FakeRegistryServer answer(String method, String path, int status, String contentType, String body) {
        answers.put(method + " " + path, new Answer(status, contentType, body));
        return this;
    }

    public List<Request> requests() {
        return requests;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath().substring("/apis/ccompat/v7".length());
        String query = exchange.getRequestURI().getRawQuery();
        String fullPath = query == null ? path : path + "?" + query;
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(
                new Request(exchange.getRequestMethod(), fullPath, Map.copyOf(exchange.getRequestHeaders()), body));
        Answer answer = answers.getOrDefault(
                exchange.getRequestMethod() + " " + fullPath,
                new Answer(404, "application/json", "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}"));
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
