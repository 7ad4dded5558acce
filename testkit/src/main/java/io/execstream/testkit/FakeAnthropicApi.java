package io.execstream.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The Anthropic Messages API as far as the Claude Code CLI uses it, served on 127.0.0.1 for
 * tests: point the CLI at {@link #baseUrl()} with {@code ANTHROPIC_BASE_URL} (see
 * {@link ClaudeCli#environment}). Each {@code POST /v1/messages} is answered with the
 * {@link Reply} the test's {@linkplain #respond responder} picks for it, streamed as the real API
 * streams it when the request says {@code "stream": true} ({@code message_start},
 * {@code content_block_start}/{@code _delta}/{@code _stop}, {@code message_delta} with the
 * stop reason and usage, {@code message_stop}), or as one JSON message otherwise.
 * {@code count_tokens} and anything else the CLI might ask get a small sensible answer. Every
 * request is recorded, so a test can check what a follow-up carried.
 *
 * <p>It speaks just enough HTTP/1.1 on plain {@link java.net} sockets (the testkit uses the JDK's
 * core only): one request per connection, answered with {@code Connection: close}.
 *
 * <p>Each reply reports {@value #INPUT_TOKENS} input and {@value #OUTPUT_TOKENS} output tokens,
 * so what the CLI computes from them is the same in every run.
 */
public final class FakeAnthropicApi implements AutoCloseable {

    /** Input tokens each reply reports. */
    public static final int INPUT_TOKENS = 100;
    /** Output tokens each reply reports. */
    public static final int OUTPUT_TOKENS = 20;
    /** The longest a {@linkplain Reply#after gated} reply waits for its gate. */
    public static final Duration GATE_LIMIT = Duration.ofSeconds(60);

    private final ServerSocket server;
    private final ExecutorService executor;
    private final AtomicInteger messageIds = new AtomicInteger();
    private final List<Request> requests = new ArrayList<>();
    private volatile Function<Request, Reply> responder = request -> Reply.text("ok");

    private FakeAnthropicApi(ServerSocket server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** A fake API listening on a free port of 127.0.0.1. */
    public static FakeAnthropicApi start() {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            // Gated replies hold their thread; every connection gets one of its own.
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread thread = new Thread(r, "fake-anthropic-api");
                thread.setDaemon(true);
                return thread;
            });
            FakeAnthropicApi api = new FakeAnthropicApi(server, executor);
            executor.execute(api::accept);
            return api;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                executor.execute(() -> serve(socket));
            } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            Exchange exchange = Exchange.read(socket);
            if (exchange != null) {
                handle(exchange);
            }
        } catch (IOException e) {
            // The client went away (an interrupted turn closes its request): nothing to answer.
        }
    }

    /** What {@code ANTHROPIC_BASE_URL} should be: {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** Picks the reply to each {@code POST /v1/messages}; by default the text {@code ok}. */
    public void respond(Function<Request, Reply> responder) {
        this.responder = Objects.requireNonNull(responder, "responder");
    }

    /** Every request so far, in the order they came. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The {@code POST /v1/messages} requests so far, in the order they came. */
    public List<Request> messageRequests() {
        return requests().stream().filter(Request::isMessages).toList();
    }

    /**
     * Waits until a request matching {@code match} has come, and returns the first one.
     *
     * @throws AssertionError if none came within {@code timeout}
     */
    public Request awaitRequest(Predicate<Request> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (requests) {
            while (true) {
                for (Request request : requests) {
                    if (match.test(request)) {
                        return request;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such request within " + timeout + "; got " + requests);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(requests, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            executor.shutdownNow();
        }
    }

    private void handle(Exchange exchange) throws IOException {
        Request request = exchange.request();
        synchronized (requests) {
            requests.add(request);
            requests.notifyAll();
        }
        if (request.isMessages()) {
            reply(exchange, request, responder.apply(request));
        } else if ("POST".equals(request.method()) && request.path().endsWith("/count_tokens")) {
            json(exchange, 200, "{\"input_tokens\":" + INPUT_TOKENS + "}");
        } else if ("HEAD".equals(request.method())) {
            exchange.head(200);
        } else if ("GET".equals(request.method()) && request.path().equals("/v1/models")) {
            json(exchange, 200, "{\"data\":[],\"has_more\":false,\"first_id\":null,\"last_id\":null}");
        } else {
            json(exchange, 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":"
                    + TestJson.quote("no " + request.method() + " " + request.path() + " here") + "}}");
        }
    }

    private void reply(Exchange exchange, Request request, Reply reply) throws IOException {
        while (reply instanceof Reply.Gated gated) {
            try {
                if (!gated.gate().await(GATE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("a gated reply waited " + GATE_LIMIT + " for its gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            reply = gated.then();
        }
        String id = "msg_fake_" + messageIds.incrementAndGet();
        String model = request.model();
        String block = block(reply);
        String stopReason = reply instanceof Reply.ToolUse ? "tool_use" : "end_turn";
        if (!request.streaming()) {
            json(exchange, 200, "{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                    + TestJson.quote(model) + ",\"content\":[" + complete(reply) + "],\"stop_reason\":\"" + stopReason
                    + "\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + INPUT_TOKENS + ",\"output_tokens\":"
                    + OUTPUT_TOKENS + "}}");
            return;
        }
        OutputStream out = exchange.stream("text/event-stream");
        event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id
                + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + TestJson.quote(model)
                + ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":"
                + INPUT_TOKENS + ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}");
        event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":" + block + "}");
        event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":" + delta(reply) + "}");
        event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + OUTPUT_TOKENS + "}}");
        event(out, "message_stop", "{\"type\":\"message_stop\"}");
    }

    /** The content block as {@code content_block_start} opens it: empty, filled by the delta. */
    private static String block(Reply reply) {
        if (reply instanceof Reply.ToolUse tool) {
            return "{\"type\":\"tool_use\",\"id\":" + TestJson.quote(tool.id()) + ",\"name\":" + TestJson.quote(tool.name())
                    + ",\"input\":{}}";
        }
        return "{\"type\":\"text\",\"text\":\"\"}";
    }

    private static String delta(Reply reply) {
        if (reply instanceof Reply.ToolUse tool) {
            return "{\"type\":\"input_json_delta\",\"partial_json\":" + TestJson.quote(tool.inputJson()) + "}";
        }
        return "{\"type\":\"text_delta\",\"text\":" + TestJson.quote(((Reply.Text) reply).text()) + "}";
    }

    /** The content block of a non-streamed reply. */
    private static String complete(Reply reply) {
        if (reply instanceof Reply.ToolUse tool) {
            return "{\"type\":\"tool_use\",\"id\":" + TestJson.quote(tool.id()) + ",\"name\":" + TestJson.quote(tool.name())
                    + ",\"input\":" + tool.inputJson() + "}";
        }
        return "{\"type\":\"text\",\"text\":" + TestJson.quote(((Reply.Text) reply).text()) + "}";
    }

    private static void event(OutputStream out, String name, String data) throws IOException {
        out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void json(Exchange exchange, int status, String body) throws IOException {
        exchange.send(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    /** One request on a connection, and its answer: the response closes the connection. */
    private record Exchange(Request request, OutputStream out) {

        /** The request on {@code socket}; null when it closed before one came. */
        static Exchange read(Socket socket) throws IOException {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String requestLine = line(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return null;
            }
            String[] parts = requestLine.split(" ");
            Map<String, String> headers = new java.util.HashMap<>();
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
                }
            }
            byte[] body;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                ByteArrayOutputStream chunks = new ByteArrayOutputStream();
                for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; line(in)) {
                    chunks.write(in.readNBytes(size));
                }
                body = chunks.toByteArray();
            } else {
                body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            }
            String path = parts.length > 1 ? parts[1].split("\\?")[0] : "/";
            return new Exchange(new Request(parts[0], path, new String(body, StandardCharsets.UTF_8)), socket.getOutputStream());
        }

        void send(int status, String contentType, byte[] body) throws IOException {
            out.write(head(status, "Content-Type: " + contentType + "\r\nContent-Length: " + body.length));
            out.write(body);
            out.flush();
        }

        void head(int status) throws IOException {
            out.write(head(status, "Content-Length: 0"));
            out.flush();
        }

        /** The head of a response whose body runs until the connection closes. */
        OutputStream stream(String contentType) throws IOException {
            out.write(head(200, "Content-Type: " + contentType + "\r\nCache-Control: no-cache"));
            out.flush();
            return out;
        }

        private static byte[] head(int status, String headers) {
            return ("HTTP/1.1 " + status + " " + (status == 200 ? "OK" : "Not Found") + "\r\n" + headers
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        /** A line of the head without its CRLF; null at the end of the stream. */
        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    return line.length() == 0 ? null : line.toString();
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }

    /** What the model answers to one request. */
    public sealed interface Reply {

        /** A text answer; the turn ends. */
        record Text(String text) implements Reply {
            public Text {
                Objects.requireNonNull(text, "text");
            }
        }

        /**
         * A call of tool {@code name} with {@code inputJson} (a JSON object) as its input; the CLI
         * runs it and asks again with its result.
         */
        record ToolUse(String id, String name, String inputJson) implements Reply {
            public ToolUse {
                Objects.requireNonNull(id, "id");
                Objects.requireNonNull(name, "name");
                Objects.requireNonNull(inputJson, "inputJson");
            }
        }

        /** {@code then}, once {@code gate} is open (at most {@link #GATE_LIMIT}): a slow model. */
        record Gated(CountDownLatch gate, Reply then) implements Reply {
            public Gated {
                Objects.requireNonNull(gate, "gate");
                Objects.requireNonNull(then, "then");
            }
        }

        static Reply text(String text) {
            return new Text(text);
        }

        /** A call of the Bash tool running {@code command}. */
        static Reply bash(String command) {
            return new ToolUse("toolu_fake_" + Integer.toHexString(command.hashCode()), "Bash",
                    "{\"command\":" + TestJson.quote(command) + ",\"description\":\"Run a command\"}");
        }

        /** {@code then}, once {@code gate} is open. */
        static Reply after(CountDownLatch gate, Reply then) {
            return new Gated(gate, then);
        }

        /**
         * A model that runs commands when told: for a message {@code "RUN CMD"} it calls Bash with
         * {@code CMD}; after a tool's result it says {@code "the tool said: RESULT"}; else
         * {@code "answer to: MESSAGE"}. For {@link FakeAnthropicApi#respond}.
         */
        static Reply runWhatIsAsked(Request request) {
            if (request.afterToolResult()) {
                List<ToolResult> results = request.toolResults();
                return text("the tool said: " + results.get(results.size() - 1).content());
            }
            String text = request.lastUserText();
            return text.startsWith("RUN ") ? bash(text.substring(4)) : text("answer to: " + text);
        }
    }

    /**
     * The result of a tool call, as a request carries it back to the model.
     *
     * @param toolUseId the call it answers ({@code toolu_...})
     * @param content   what it says: the tool's output, or an error such as a refusal's message
     * @param isError   whether the call failed or did not run
     */
    public record ToolResult(String toolUseId, String content, boolean isError) {
    }

    /** A request the fake got. */
    public record Request(String method, String path, String body) {

        /** Whether it asks for a model's answer: {@code POST /v1/messages}. */
        public boolean isMessages() {
            return "POST".equals(method) && path.equals("/v1/messages");
        }

        /** Whether it asks for the answer as a stream of events. */
        public boolean streaming() {
            return Boolean.TRUE.equals(json().get("stream"));
        }

        /** The model it names. */
        public String model() {
            return json().get("model") instanceof String model ? model : "claude-fake";
        }

        /** Its body's top-level object; empty when it has none. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> json() {
            if (body.isBlank()) {
                return Map.of();
            }
            return TestJson.parse(body) instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        }

        /** The text blocks of the user's messages, in order (tool results are not text). */
        public List<String> userTexts() {
            List<String> texts = new ArrayList<>();
            for (Map<?, ?> message : userMessages()) {
                Object content = message.get("content");
                if (content instanceof String text) {
                    texts.add(text);
                } else if (content instanceof List<?> blocks) {
                    for (Object block : blocks) {
                        if (block instanceof Map<?, ?> b && "text".equals(b.get("type")) && b.get("text") instanceof String t) {
                            texts.add(t);
                        }
                    }
                }
            }
            return texts;
        }

        /** The last text the user wrote: what this request asks the model to answer. */
        public String lastUserText() {
            List<String> texts = userTexts();
            return texts.isEmpty() ? "" : texts.get(texts.size() - 1);
        }

        /**
         * Whether the request ends with a tool's result: the model is to go on after its call. (After
         * an interrupt the CLI sends the stopped call's result with the user's next text after it.)
         */
        public boolean afterToolResult() {
            List<Map<?, ?>> messages = userMessages();
            if (messages.isEmpty() || !(messages.get(messages.size() - 1).get("content") instanceof List<?> blocks)
                    || blocks.isEmpty()) {
                return false;
            }
            return blocks.get(blocks.size() - 1) instanceof Map<?, ?> last && "tool_result".equals(last.get("type"));
        }

        /**
         * The results of tool calls the user's messages carry, in order: what the CLI tells the model
         * a call gave (its output, or why it did not run, such as a denied permission).
         */
        public List<ToolResult> toolResults() {
            List<ToolResult> results = new ArrayList<>();
            for (Map<?, ?> message : userMessages()) {
                if (message.get("content") instanceof List<?> blocks) {
                    for (Object block : blocks) {
                        if (block instanceof Map<?, ?> b && "tool_result".equals(b.get("type"))) {
                            results.add(new ToolResult(String.valueOf(b.get("tool_use_id")), TestJson.text(b.get("content")),
                                    Boolean.TRUE.equals(b.get("is_error"))));
                        }
                    }
                }
            }
            return results;
        }

        private List<Map<?, ?>> userMessages() {
            List<Map<?, ?>> users = new ArrayList<>();
            if (json().get("messages") instanceof List<?> messages) {
                for (Object message : messages) {
                    if (message instanceof Map<?, ?> m && "user".equals(m.get("role"))) {
                        users.add(m);
                    }
                }
            }
            return users;
        }

        @Override
        public String toString() {
            return method + " " + path + (isMessages() ? " (last user text: " + lastUserText() + ")" : "");
        }
    }
}
