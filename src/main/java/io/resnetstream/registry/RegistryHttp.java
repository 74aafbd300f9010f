package io.resnetstream.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON over HTTP to the registry: headers, auth, TLS, timeouts, and turning every failure into a
 * {@link RegistryException} that names the method, the URL and what the registry said.
 */
final class RegistryHttp {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private final RegistrySettings settings;
    private final HttpClient client;
    private final ObjectMapper json = new ObjectMapper();
    private final String authorization;
    private final AtomicLong requestsSent = new AtomicLong();

    RegistryHttp(RegistrySettings settings) {
        this.settings = settings;
        // HTTP/1.1: the default HTTP/2 attempt adds an h2c upgrade to every plain-text request, for nothing.
        HttpClient.Builder builder =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.connectTimeout());
        if (settings.trustStore() != null || settings.keyStore() != null) {
            builder.sslContext(TlsContext.create(settings.trustStore(), settings.keyStore()));
        }
        this.client = builder.build();
        this.authorization = settings.basicAuth() == null
                ? null
                : "Basic "
                        + Base64.getEncoder()
                                .encodeToString((settings.basicAuth().user() + ":"
                                                + settings.basicAuth().password())
                                        .getBytes(StandardCharsets.UTF_8));
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    JsonNode put(String path, Object body) {
        return send("PUT", path, body);
    }

    long requestsSent() {
        return requestsSent.get();
    }

    private JsonNode send(String method, String path, Object body) {
        URI uri = URI.create(settings.baseUrl() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header("Accept", ACCEPT)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(toJson(body), StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = exchange(method, path, request.build());
        if (response.statusCode() >= 300) {
            throw failure(method, uri, response);
        }
        try {
            return json.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new RegistryException(
                    method + " " + uri + " answered HTTP " + response.statusCode() + " with a body that is not JSON: "
                            + excerpt(response.body()),
                    response.statusCode(),
                    0,
                    e);
        }
    }

    private HttpResponse<String> exchange(String method, String path, HttpRequest request) {
        requestsSent.incrementAndGet();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw unreachable(method, path, "no connection within " + settings.connectTimeout(), e);
        } catch (HttpTimeoutException e) {
            throw new RegistryException(
                    "Schema registry at " + settings.baseUrl() + " did not answer " + method + " " + path + " within "
                            + settings.requestTimeout(),
                    0,
                    0,
                    e);
        } catch (SSLException e) {
            throw new RegistryException(
                    "TLS with the schema registry at " + settings.baseUrl() + " failed (" + method + " " + path + "): "
                            + e.getMessage(),
                    0,
                    0,
                    e);
        } catch (IOException e) {
            // Under TLS 1.3 a server refusing our client certificate just drops the connection after the handshake.
            String hint = settings.baseUrl().getScheme().equals("https")
                    ? " (a refused or missing client certificate looks like this too)"
                    : "";
            throw unreachable(method, path, e + hint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    "Interrupted while calling the schema registry at " + settings.baseUrl(), 0, 0, e);
        }
    }

    private RegistryException unreachable(String method, String path, String why, Exception cause) {
        return new RegistryException(
                "Schema registry at " + settings.baseUrl() + " is unreachable (" + method + " " + path + "): " + why,
                0,
                0,
                cause);
    }

    /** Confluent errors are {@code {"error_code": 40401, "message": "..."}}; proxies may answer anything. */
    private RegistryException failure(String method, URI uri, HttpResponse<String> response) {
        int errorCode = 0;
        String message = excerpt(response.body());
        try {
            JsonNode error = json.readTree(response.body());
            if (error != null && error.hasNonNull("message")) {
                errorCode = error.path("error_code").asInt(0);
                message = error.get("message").asText();
            }
        } catch (JsonProcessingException notJson) {
            // keep the raw excerpt
        }
        return new RegistryException(
                method + " " + uri + " failed: HTTP " + response.statusCode()
                        + (errorCode == 0 ? "" : ", error " + errorCode) + ": " + message,
                response.statusCode(),
                errorCode,
                null);
    }

    private String toJson(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot write request body as JSON", e);
        }
    }

    private static String excerpt(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() <= MAX_BODY_IN_MESSAGE ? text : text.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }
}
