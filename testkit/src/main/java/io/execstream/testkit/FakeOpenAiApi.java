package io.execstream.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A fake OpenAI-compatible chat completions API on a free loopback port, for driving a real agent
 * program (OpenCode, with a custom {@code @ai-sdk/openai-compatible} provider) without a model.
 *
 * <p>{@code POST /v1/chat/completions} is answered with a scripted {@link ChatReply}: with
 * {@code "stream": true} as server-sent events, {@code data: {chunk}} lines ending with
 * {@code data: [DONE]} (a role chunk, the text in pieces, each tool call's name then its arguments,
 * a last chunk with the finish reason and the usage); otherwise as one {@code chat.completion}.
 * {@code GET /v1/models} lists the models answered so far. Anything else is a 404 in OpenAI's error
 * shape. Every request is recorded.
 *
 * <p>Which reply: a responder set for the request's model ({@link #respondFor}) first (for a
 * small model an agent uses for titles and summaries, so that those requests do not take replies
 * meant for the conversation); else the next reply {@linkplain #enqueue queued}; else the
 * {@linkplain #respond fallback} responder, by default the text {@code "ok"}.
 *
 * <p>Thread-safe. Uses the JDK only. Close it to stop listening (held replies are let go).
 */
public final class FakeOpenAiApi implements AutoCloseable {
    private static final int PIECE = 8;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-openai-api");
        t.setDaemon(true);
        return t;
    });
    private final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<ChatReply> queue = new ConcurrentLinkedQueue<>();
    private final Map<String, Function<ChatRequest, ChatReply>> byModel = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Object arrivals = new Object();
    private volatile Function<ChatRequest, ChatReply> fallback = r -> ChatReply.text("ok");
    private volatile boolean closed;

    private FakeOpenAiApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a fake API on a free port of 127.0.0.1. */
    public static FakeOpenAiApi start() {
        try {
            return new FakeOpenAiApi();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL an OpenAI-compatible client takes, e.g. {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Queues replies, answered in order to requests no {@link #respondFor} responder takes. */
    public FakeOpenAiApi enqueue(ChatReply... replies) {
        queue.addAll(List.of(replies));
        return this;
    }

    /** How many queued replies are left. */
    public int queued() {
        return queue.size();
    }

    /** Answers requests no other rule takes with {@code responder}. */
    public FakeOpenAiApi respond(Function<ChatRequest, ChatReply> responder) {
        this.fallback = Objects.requireNonNull(responder, "responder");
        return this;
    }

    /** Answers every request for {@code model} with {@code responder}, before the queue. */
    public FakeOpenAiApi respondFor(String model, Function<ChatRequest, ChatReply> responder) {
        byModel.put(Objects.requireNonNull(model, "model"), Objects.requireNonNull(responder, "responder"));
        return this;
    }

    /** Every request so far, in the order they came. */
    public List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    /** The chat completion requests so far for {@code model}, in order. */
    public List<ChatRequest> completions(String model) {
        return requests.stream().filter(r -> r.path().endsWith("/chat/completions") && model.equals(r.model())).toList();
    }

    /**
     * Waits until a request matching {@code which} has come (one already here counts).
     *
     * @throws AssertionError when none came within {@code timeout}
     */
    public ChatRequest awaitRequest(Predicate<ChatRequest> which, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (arrivals) {
            while (true) {
                for (ChatRequest r : requests) {
                    if (which.test(r)) {
                        return r;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such request within " + timeout + "; got " + describe());
                }
                TimeUnit.NANOSECONDS.timedWait(arrivals, left);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }

    private String describe() {
        List<String> seen = new ArrayList<>();
        for (ChatRequest r : requests) {
            seen.add(r.method() + " " + r.path() + (r.model() == null ? "" : " " + r.model()));
        }
        return seen.toString();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Object json;
            try {
                json = body.isBlank() ? null : TestJson.parse(body);
            } catch (IllegalArgumentException e) {
                json = null;
            }
            ChatRequest request = new ChatRequest(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body, json);
            requests.add(request);
            synchronized (arrivals) {
                arrivals.notifyAll();
            }
            String path = request.path();
            if ("POST".equals(request.method()) && path.endsWith("/chat/completions")) {
                answer(exchange, request, choose(request));
            } else if ("GET".equals(request.method()) && path.endsWith("/models")) {
                send(exchange, 200, "{\"object\":\"list\",\"data\":[]}");
            } else {
                send(exchange, 404, errorBody("no route " + request.method() + " " + path));
            }
        } catch (IOException e) {
            // The client went away (an abort): nothing to answer.
        }
    }

    private ChatReply choose(ChatRequest request) {
        Function<ChatRequest, ChatReply> own = request.model() == null ? null : byModel.get(request.model());
        if (own != null) {
            return own.apply(request);
        }
        ChatReply next = queue.poll();
        return next != null ? next : fallback.apply(request);
    }

    private void answer(HttpExchange exchange, ChatRequest request, ChatReply reply) throws IOException {
        if (reply.status() != 200) {
            send(exchange, reply.status(), errorBody(reply.text()));
            return;
        }
        String id = "chatcmpl-" + ids.incrementAndGet();
        String model = request.model() == null ? "fake" : request.model();
        if (!request.stream()) {
            await(reply);
            send(exchange, 200, "{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":" + now()
                    + ",\"model\":" + TestJson.quote(model) + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                    + "\"content\":" + TestJson.quote(reply.text()) + toolCalls(reply) + "},\"finish_reason\":"
                    + finish(reply) + "}],\"usage\":" + usage(reply) + "}");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String head = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + now()
                + ",\"model\":" + TestJson.quote(model) + ",\"choices\":[{\"index\":0,\"delta\":";
        chunk(out, head + "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}");
        String text = reply.text();
        int first = Math.min(PIECE, text.length());
        if (first > 0) {
            chunk(out, head + "{\"content\":" + TestJson.quote(text.substring(0, first)) + "},\"finish_reason\":null}]}");
        }
        await(reply);
        for (int i = first; i < text.length(); i += PIECE) {
            String piece = text.substring(i, Math.min(text.length(), i + PIECE));
            chunk(out, head + "{\"content\":" + TestJson.quote(piece) + "},\"finish_reason\":null}]}");
        }
        List<ChatReply.ToolCall> calls = reply.toolCalls();
        for (int i = 0; i < calls.size(); i++) {
            String callId = "call_" + id.substring("chatcmpl-".length()) + "_" + i;
            chunk(out, head + "{\"tool_calls\":[{\"index\":" + i + ",\"id\":\"" + callId + "\",\"type\":\"function\","
                    + "\"function\":{\"name\":" + TestJson.quote(calls.get(i).name()) + ",\"arguments\":\"\"}}]},"
                    + "\"finish_reason\":null}]}");
            chunk(out, head + "{\"tool_calls\":[{\"index\":" + i + ",\"function\":{\"arguments\":"
                    + TestJson.quote(calls.get(i).arguments()) + "}}]},\"finish_reason\":null}]}");
        }
        chunk(out, head + "{},\"finish_reason\":" + finish(reply) + "}],\"usage\":" + usage(reply) + "}");
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Waits for a held reply's latch: bounded, and let go when the API closes. */
    private void await(ChatReply reply) {
        if (reply.hold() == null) {
            return;
        }
        long deadline = System.nanoTime() + ChatReply.MAX_HOLD.toNanos();
        try {
            while (!closed && System.nanoTime() - deadline < 0 && !reply.hold().await(100, TimeUnit.MILLISECONDS)) {
                // Checked again every 100 ms so that close() lets it go.
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String toolCalls(ChatReply reply) {
        List<ChatReply.ToolCall> calls = reply.toolCalls();
        if (calls.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(",\"tool_calls\":[");
        for (int i = 0; i < calls.size(); i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"call_").append(i).append("\",\"type\":\"function\",\"function\":{\"name\":")
                    .append(TestJson.quote(calls.get(i).name())).append(",\"arguments\":")
                    .append(TestJson.quote(calls.get(i).arguments())).append("}}");
        }
        return b.append(']').toString();
    }

    private static String finish(ChatReply reply) {
        return reply.toolCalls().isEmpty() ? "\"stop\"" : "\"tool_calls\"";
    }

    private static String usage(ChatReply reply) {
        return "{\"prompt_tokens\":" + reply.promptTokens() + ",\"completion_tokens\":" + reply.completionTokens()
                + ",\"total_tokens\":" + (reply.promptTokens() + reply.completionTokens()) + "}";
    }

    private static String errorBody(String message) {
        return "{\"error\":{\"message\":" + TestJson.quote(message) + ",\"type\":\"invalid_request_error\",\"code\":null}}";
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static void chunk(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
