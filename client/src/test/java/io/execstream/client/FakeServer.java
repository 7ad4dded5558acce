package io.execstream.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server on a free loopback port that answers each request with the next scripted
 * response, and records what each request asked for: the client's reconnect rules, tested
 * against answers a real server gives only in rare moments (a drop, a 503, silence).
 */
final class FakeServer implements AutoCloseable {
    /** One scripted answer. */
    @FunctionalInterface
    interface Answer {
        void answer(HttpExchange exchange) throws IOException;
    }

    /** What a request carried. */
    record Request(String method, String path, String query, String lastEventId, String apiKey, String body) {
    }

    private final HttpServer server;
    private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Released when a held answer ({@link #hold}) should go on. */
    final CountDownLatch release = new CountDownLatch(1);

    FakeServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getQuery(), exchange.getRequestHeaders().getFirst("Last-Event-ID"),
                    exchange.getRequestHeaders().getFirst("X-API-Key"), body));
            Answer answer = answers.poll();
            try {
                if (answer == null) {
                    json(404, "{\"error\":\"not_found\",\"message\":\"no scripted answer\"}").answer(exchange);
                } else {
                    answer.answer(exchange);
                }
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    FakeServer then(Answer answer) {
        answers.add(answer);
        return this;
    }

    /** A complete JSON answer. */
    static Answer json(int status, String body) {
        return exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        };
    }

    static Answer status(int status) {
        return exchange -> exchange.sendResponseHeaders(status, -1);
    }

    /** An event stream that sends {@code text} (SSE lines) and then ends the response. */
    static Answer events(String text) {
        return exchange -> {
            OutputStream out = open(exchange);
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        };
    }

    /** An event stream that sends {@code text}, then waits for {@link #release} before it ends. */
    Answer hold(String text) {
        return exchange -> {
            OutputStream out = open(exchange);
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    private static OutputStream open(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    /** The SSE text of one event. */
    static String event(String id, String type, String data) {
        return "id: " + id + "\nevent: " + type + "\ndata: " + data + "\n\n";
    }

    static String out(String id, String content) {
        return event(id, "output", Json.write(Map.of("type", "stdout", "content", content)));
    }

    static String done(String id, int exitCode) {
        return event(id, "done", "{\"exit_code\":" + exitCode + ",\"duration_ms\":5,\"status\":\"exited\"}");
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
