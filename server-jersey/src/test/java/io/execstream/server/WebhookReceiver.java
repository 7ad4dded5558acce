package io.execstream.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A webhook receiver on a free port of 127.0.0.1 that records every request it gets. Its paths:
 * {@code /flaky} answers {@code 500} to the first {@value #FAILURES} attempts of each delivery (by
 * its {@code X-Execstream-Delivery}), then {@code 200}; {@code /ok} answers {@code 200} at once;
 * {@code /hang} never answers (until the receiver closes).
 */
final class WebhookReceiver implements AutoCloseable {
    static final int FAILURES = 2;

    /** One request as it arrived, at {@code nanos} ({@link System#nanoTime()}). */
    record Received(String path, Map<String, List<String>> headers, byte[] body, long nanos) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        JsonNode json() {
            try {
                return TestServer.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("a webhook body that is not JSON", e);
            }
        }

        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        received.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime()));
        int status = switch (path) {
            case "/flaky" -> attempts.computeIfAbsent(exchange.getRequestHeaders().getFirst("X-Execstream-Delivery"),
                    id -> new AtomicInteger()).incrementAndGet() <= FAILURES ? 500 : 200;
            case "/hang" -> {
                try {
                    closing.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield 503;
            }
            default -> 200;
        };
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    /** The URL of {@code path} on this receiver. */
    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The requests so far that {@code which} holds for. */
    List<Received> requests(Predicate<Received> which) {
        return received.stream().filter(which).toList();
    }

    /** Waits until at least {@code n} requests that {@code which} holds for have come, within {@code timeout}. */
    List<Received> await(Predicate<Received> which, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Received> got = requests(which);
            if (got.size() >= n) {
                return got;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // poll interval, not a wait for the condition
        }
        throw new AssertionError("fewer than " + n + " webhook request(s) came within " + timeout + "; got "
                + received.stream().map(r -> r.path() + " " + r.text()).toList());
    }

    /** Requests to {@code path} about {@code streamId} with event {@code event} (and {@code reason}, if not null). */
    static Predicate<Received> about(String path, String streamId, String event, String reason) {
        return r -> r.path().equals(path) && r.json().path("stream_id").asText().equals(streamId)
                && r.json().path("event").asText().equals(event)
                && (reason == null || r.json().path("reason").asText().equals(reason));
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
