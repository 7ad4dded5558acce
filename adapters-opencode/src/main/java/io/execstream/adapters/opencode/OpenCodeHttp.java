package io.execstream.adapters.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The calls made to one project's {@code opencode serve}: JSON requests, and the event stream.
 * Every request carries the basic-auth header when a password is configured, and has a deadline.
 */
final class OpenCodeHttp {

    /** A call that failed; {@link #getMessage()} is for a person. */
    static final class CallFailed extends Exception {
        private final int status;

        CallFailed(String message, int status) {
            super(message, null, false, false);
            this.status = status;
        }

        /** The HTTP status OpenCode answered, or 0 when none came. */
        int status() {
            return status;
        }
    }

    private final HttpClient client;
    /** The server's URL without a trailing slash; API paths are appended to it. */
    private final String base;
    private final Optional<String> authorization;
    private final Duration requestTimeout;

    OpenCodeHttp(HttpClient client, String base, String username, Optional<String> password, Duration requestTimeout) {
        this.client = client;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.authorization = password.map(p -> "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + p).getBytes(StandardCharsets.UTF_8)));
        this.requestTimeout = requestTimeout;
    }

    String base() {
        return base;
    }

    JsonNode get(String path) throws CallFailed {
        return call(request(path).GET().build());
    }

    JsonNode post(String path, JsonNode body) throws CallFailed {
        return call(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(OpenCodeJson.compact(body))).build());
    }

    /** Sends a POST without waiting for its answer; failures are only logged. */
    CompletableFuture<HttpResponse<String>> postInBackground(String path, JsonNode body) {
        return client.sendAsync(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(OpenCodeJson.compact(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Opens {@code GET /event}. Returns once the response headers are in; the events then go to
     * {@code subscriber} on the client's threads.
     */
    EventSubscriber openEvents(EventSubscriber subscriber) throws CallFailed {
        HttpRequest request = request("/event").header("Accept", "text/event-stream").GET().build();
        HttpResponse<Object> response = await(request, client.sendAsync(request, info -> info.statusCode() == 200
                ? subscriber
                : HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
                        body -> (Object) body)));
        if (response.statusCode() != 200) {
            throw refused(request, response.statusCode(), String.valueOf(response.body()));
        }
        return subscriber;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout);
        authorization.ifPresent(a -> b.header("Authorization", a));
        return b;
    }

    private JsonNode call(HttpRequest request) throws CallFailed {
        HttpResponse<String> response = await(request,
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
        if (response.statusCode() / 100 != 2) {
            throw refused(request, response.statusCode(), response.body());
        }
        String body = response.body();
        if (body == null || body.isBlank()) {
            return OpenCodeJson.MAPPER.nullNode();
        }
        try {
            return OpenCodeJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new CallFailed(what(request) + " answered with a body that is not JSON", response.statusCode());
        }
    }

    private <T> HttpResponse<T> await(HttpRequest request, CompletableFuture<HttpResponse<T>> pending) throws CallFailed {
        try {
            // The request's own timeout bounds the wait for headers; this is a backstop.
            return pending.get(requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new CallFailed("cannot reach OpenCode at " + base + ": " + describe(e.getCause()), 0);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new CallFailed("OpenCode at " + base + " did not answer " + what(request) + " within " + requestTimeout, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.cancel(true);
            throw new CallFailed("interrupted while calling OpenCode", 0);
        }
    }

    private CallFailed refused(HttpRequest request, int status, String body) {
        String detail = body == null ? "" : body.strip();
        if (status == 401) {
            detail = "check the OpenCode password";
        }
        detail = detail.replaceAll("\\p{Cntrl}", " ");
        if (detail.length() > 300) {
            detail = detail.substring(0, 300) + "...";
        }
        return new CallFailed("OpenCode at " + base + " answered " + what(request) + " with HTTP " + status
                + (detail.isEmpty() ? "" : ": " + detail), status);
    }

    private static String what(HttpRequest request) {
        return request.method() + " " + request.uri().getRawPath();
    }

    static String describe(Throwable e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connection timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer in time";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
