package io.execstream.adapters.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for {@code opencode serve} on a free loopback port, speaking the part of its HTTP API
 * that execstream uses, with OpenCode's payload shapes:
 *
 * <ul>
 *   <li>{@code GET /event}: an event stream of {@code data: {"type", "properties"}} events, no
 *       {@code event:} or {@code id:} fields, starting with {@code server.connected};</li>
 *   <li>{@code POST /session}, {@code GET /session/:id}, {@code GET /session/status},
 *       {@code GET /session/:id/message} ({@code [{info, parts}]});</li>
 *   <li>{@code POST /session/:id/prompt_async} ({@code 204}, then the run's events) and
 *       {@code POST /session/:id/abort};</li>
 *   <li>{@code POST /permission/:id/reply} and {@code POST /session/:id/permissions/:id}, the
 *       newer and the older reply to a request for permission;</li>
 *   <li>basic auth (user {@code opencode}) when started with a password; {@code 404} with
 *       {@code {"name":"NotFoundError","data":{"message"}}} for an unknown session.</li>
 * </ul>
 *
 * <p>A run publishes the user message and its text part, {@code session.status} busy, the
 * assistant message, {@code step-start}, the reply {@code "You asked: PROMPT"} as text part
 * updates of a few characters each (with {@code delta}; or, with {@link #useDeltaEvents}, as
 * {@code message.part.delta} events as newer OpenCode versions send), {@code step-finish}, the
 * completed assistant message with cost and tokens, {@code session.status} idle and
 * {@code session.idle}. It also publishes an event of another session, which a client must ignore.
 * What the prompt contains changes the run:
 *
 * <ul>
 *   <li>{@code tool}: a first step calls the bash tool (pending, running, completed), a second
 *       step answers; two assistant messages, with cost 0.01 and 0.02;</li>
 *   <li>{@code fail}: the provider refuses the key: the assistant message carries a
 *       {@code ProviderAuthError}, then {@code session.error}, then idle;</li>
 *   <li>{@code wait}: the first piece of the reply, then nothing until an abort, which ends the
 *       message with {@code MessageAbortedError}, {@code session.error} and idle;</li>
 *   <li>{@code ignore-abort}: as {@code wait}, but an abort does nothing;</li>
 *   <li>{@code retry}: the provider fails and OpenCode waits to retry ({@code session.status} of
 *       type {@code retry}); an abort then completes the assistant message without an error and
 *       the session goes idle, with no {@code session.error}, as OpenCode does;</li>
 *   <li>{@code permission}: a bash call ({@code git push origin main}) asks for approval with
 *       {@code permission.asked} and waits for {@code POST /permission/:id/reply}; a rejection
 *       with a message lets the model answer in a second step. With {@code legacy} it asks with the
 *       older {@code permission.updated} and waits for {@code POST /session/:id/permissions/:id},
 *       and a rejection stops the session; with {@code subagent} a child session of the run's asks.
 *       An abort while it waits drops the request without a {@code permission.replied}, fails the
 *       call and the message ({@code MessageAbortedError}), as OpenCode 1.18 does. A reply to a
 *       request that no longer waits is a {@code 404}, and {@link #replyAsAnotherClient} answers
 *       one as OpenCode's own UI would;</li>
 *   <li>{@code drop}: half the reply, then the event connections stop getting events, a quarter
 *       more is published into the void, the connections are closed, and the rest follows once
 *       a client has connected again;</li>
 *   <li>{@code drop-finish}: as {@code drop}, but the whole run ends while no one is connected;</li>
 *   <li>{@code late}: the run starts half a second after {@code prompt_async} answered, as the
 *       real server's first prompt does while it loads; an abort before that is lost;</li>
 *   <li>{@code slow}: the first piece of the reply, then the rest once the latch of
 *       {@link #holdSlowReplies} opens (an abort ends it as {@code wait} does).</li>
 * </ul>
 *
 * <p>A live session sends prompt after prompt into one session; {@link #promptsWhileBusy} counts
 * those that came while a run of the session was still going (a client that waits for the idle
 * session sends none), and {@link #refusePrompts} makes {@code prompt_async} fail.
 *
 * <p>Thread-safe; every wait is bounded. Close it to end its event streams and stop listening.
 */
public final class StandInOpenCode implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SESSION_PATH = Pattern.compile("/session/([^/]+)(/message|/prompt_async|/abort)?");
    private static final Pattern PERMISSION_REPLY = Pattern.compile("/permission/([^/]+)/reply|/session/[^/]+/permissions/([^/]+)");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int PIECE = 6;
    private static final Duration LATE = Duration.ofMillis(500);

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "standin-opencode");
        t.setDaemon(true);
        return t;
    });
    private final String authorization;
    private final Object busLock = new Object();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final List<ObjectNode> prompts = new CopyOnWriteArrayList<>();
    private final List<String> aborts = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> permissionReplies = new CopyOnWriteArrayList<>();
    /** The requests for permission waiting for their reply, by id. */
    private final Map<String, CompletableFuture<ObjectNode>> permissions = new ConcurrentHashMap<>();
    private final AtomicInteger eventConnections = new AtomicInteger();
    private final AtomicInteger messageReads = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong(System.currentTimeMillis() << 12);
    private volatile boolean deltaEvents;
    private volatile boolean refusePermissionReplies;
    private volatile boolean refusePrompts;
    private volatile CountDownLatch slowGate = new CountDownLatch(0);
    private final AtomicInteger promptsWhileBusy = new AtomicInteger();
    private volatile CountDownLatch reconnected = new CountDownLatch(1);

    private static final class Connection {
        final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        volatile boolean deaf;
    }

    private static final class Session {
        final String id;
        final ObjectNode info;
        /** Copies of the messages' infos and parts as stored, under busLock. */
        final Map<String, ObjectNode> messages = new LinkedHashMap<>();
        final Map<String, LinkedHashMap<String, ObjectNode>> parts = new LinkedHashMap<>();
        /** Opened by an abort; each run of a prompt arms a new one, so an abort stops only the run it hits. */
        volatile CountDownLatch abort = new CountDownLatch(1);
        volatile boolean busy;

        Session(String id, ObjectNode info) {
            this.id = id;
            this.info = info;
        }
    }

    private StandInOpenCode(String password) throws IOException {
        this.authorization = password == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(("opencode:" + password).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A stand-in without authentication. */
    public static StandInOpenCode start() {
        return start(null);
    }

    /** A stand-in that requires basic auth with user {@code opencode} and {@code password} (null: none). */
    public static StandInOpenCode start(String password) {
        try {
            return new StandInOpenCode(password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Send text as {@code message.part.delta} events, as newer OpenCode versions do. */
    public void useDeltaEvents(boolean on) {
        deltaEvents = on;
    }

    /** Answer replies to requests for permission with {@code 500}, as a server that fails would. */
    public void refusePermissionReplies(boolean on) {
        refusePermissionReplies = on;
    }

    /** Answer {@code prompt_async} with {@code 500}, as a server that fails would. */
    public void refusePrompts(boolean on) {
        refusePrompts = on;
    }

    /** Holds the replies to {@code slow} prompts from now on until the returned latch opens. */
    public CountDownLatch holdSlowReplies() {
        CountDownLatch gate = new CountDownLatch(1);
        slowGate = gate;
        return gate;
    }

    /** How many prompts came while a run of their session was still going. */
    public int promptsWhileBusy() {
        return promptsWhileBusy.get();
    }

    /** The bodies of the prompts received, each with the session added as {@code "session"}. */
    public List<ObjectNode> prompts() {
        return List.copyOf(prompts);
    }

    /** The sessions an abort was asked for, in order. */
    public List<String> aborts() {
        return List.copyOf(aborts);
    }

    /**
     * The replies to requests for permission, in order: each body as sent, with the path it was
     * sent to added as {@code "path"}.
     */
    public List<ObjectNode> permissionReplies() {
        return List.copyOf(permissionReplies);
    }

    /**
     * Answers the waiting request for permission {@code request} with {@code reply} ({@code once},
     * {@code reject}) as another client of the server would, such as OpenCode's own UI; false when
     * it does not wait.
     */
    public boolean replyAsAnotherClient(String request, String reply) {
        CompletableFuture<ObjectNode> waiting = permissions.remove(request);
        return waiting != null && waiting.complete(JSON.createObjectNode().put("reply", reply));
    }

    /** How many times {@code GET /event} was opened. */
    public int eventConnections() {
        return eventConnections.get();
    }

    /** How many times a session's messages were read. */
    public int messageReads() {
        return messageReads.get();
    }

    /** Creates a session, as {@code POST /session} does; its id. */
    public String createSession() {
        return create().id;
    }

    /** The text of every part of every message of {@code session}, by role: "user: ...", "assistant: ...". */
    public List<String> transcript(String session) {
        Session s = sessions.get(session);
        List<String> out = new ArrayList<>();
        synchronized (busLock) {
            for (ObjectNode m : s.messages.values()) {
                for (ObjectNode part : s.parts.get(m.get("id").asText()).values()) {
                    if (part.path("type").asText().equals("text")) {
                        out.add(m.get("role").asText() + ": " + part.get("text").asText());
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        for (Connection c : connections) {
            c.queue.add("");
        }
        sessions.values().forEach(s -> s.abort.countDown());
        threads.shutdownNow();
    }

    // ---- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (authorization != null && !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"Secure Area\"");
                send(exchange, 401, "Unauthorized");
                return;
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (method.equals("GET") && path.equals("/event")) {
                events(exchange);
                return;
            }
            if (method.equals("POST") && path.equals("/session")) {
                exchange.getRequestBody().readAllBytes();
                send(exchange, 200, create().info);
                return;
            }
            if (method.equals("GET") && path.equals("/session/status")) {
                ObjectNode status = JSON.createObjectNode();
                sessions.values().stream().filter(s -> s.busy).forEach(s -> status.putObject(s.id).put("type", "busy"));
                send(exchange, 200, status);
                return;
            }
            Matcher reply = PERMISSION_REPLY.matcher(path);
            if (method.equals("POST") && reply.matches()) {
                ObjectNode body = (ObjectNode) JSON.readTree(exchange.getRequestBody());
                permissionReplies.add(body.deepCopy().put("path", path));
                if (refusePermissionReplies) {
                    send(exchange, 500, "permission store unavailable");
                    return;
                }
                String request = reply.group(1) != null ? reply.group(1) : reply.group(2);
                CompletableFuture<ObjectNode> waiting = permissions.remove(request);
                if (waiting == null) {
                    ObjectNode error = JSON.createObjectNode().put("name", "NotFoundError");
                    error.putObject("data").put("message", "Permission request not found: " + request);
                    send(exchange, 404, error);
                    return;
                }
                waiting.complete(body);
                send(exchange, 200, JSON.getNodeFactory().booleanNode(true));
                return;
            }
            Matcher m = SESSION_PATH.matcher(path);
            if (!m.matches()) {
                send(exchange, 404, "404 Not Found");
                return;
            }
            Session session = sessions.get(m.group(1));
            if (session == null) {
                ObjectNode error = JSON.createObjectNode().put("name", "NotFoundError");
                error.putObject("data").put("message", "Session not found: " + m.group(1));
                send(exchange, 404, error);
                return;
            }
            String action = m.group(2) == null ? "" : m.group(2);
            switch (method + " " + action) {
                case "GET " -> send(exchange, 200, session.info);
                case "GET /message" -> {
                    messageReads.incrementAndGet();
                    send(exchange, 200, messages(session));
                }
                case "POST /prompt_async" -> {
                    ObjectNode body = (ObjectNode) JSON.readTree(exchange.getRequestBody());
                    if (refusePrompts) {
                        send(exchange, 500, "prompt store unavailable");
                        return;
                    }
                    if (session.busy) {
                        promptsWhileBusy.incrementAndGet();
                    }
                    prompts.add(body.deepCopy().put("session", session.id));
                    // As OpenCode does: accepted at once, the run follows on the bus.
                    exchange.sendResponseHeaders(204, -1);
                    threads.execute(() -> run(session, body));
                }
                case "POST /abort" -> {
                    exchange.getRequestBody().readAllBytes();
                    aborts.add(session.id);
                    session.abort.countDown();
                    send(exchange, 200, JSON.getNodeFactory().booleanNode(true));
                }
                default -> send(exchange, 405, "405 Method Not Allowed");
            }
        }
    }

    private void events(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache, no-transform");
        exchange.sendResponseHeaders(200, 0);
        Connection connection = new Connection();
        synchronized (busLock) {
            // Subscribed before server.connected goes out, as OpenCode does: nothing after it is missed.
            connections.add(connection);
            connection.queue.add(event("server.connected", JSON.createObjectNode()));
        }
        eventConnections.incrementAndGet();
        reconnected.countDown();
        OutputStream out = exchange.getResponseBody();
        try {
            while (true) {
                String data = connection.queue.poll(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
                if (data == null || data.isEmpty()) {
                    return;
                }
                out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away
        } finally {
            connections.remove(connection);
        }
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = (body instanceof JsonNode json ? JSON.writeValueAsString(json) : body.toString())
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type",
                body instanceof JsonNode ? "application/json" : "text/plain;charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    // ---- the bus

    private void publish(String type, ObjectNode properties) {
        String data = event(type, properties);
        synchronized (busLock) {
            for (Connection c : connections) {
                if (!c.deaf) {
                    c.queue.add(data);
                }
            }
        }
    }

    private static String event(String type, ObjectNode properties) {
        ObjectNode e = JSON.createObjectNode().put("type", type);
        e.set("properties", properties);
        return e.toString();
    }

    /** Stops delivering to the open connections; the latch counts the next connection. */
    private CountDownLatch deafen() {
        synchronized (busLock) {
            reconnected = new CountDownLatch(1);
            connections.forEach(c -> c.deaf = true);
            return reconnected;
        }
    }

    /** Ends the connections that were deafened. */
    private void closeDeaf() {
        synchronized (busLock) {
            connections.stream().filter(c -> c.deaf).forEach(c -> c.queue.add(""));
        }
    }

    // ---- sessions and runs

    private String id(String prefix) {
        return prefix + "_" + Long.toHexString(ids.incrementAndGet()) + "Zq9";
    }

    private Session create() {
        String id = id("ses");
        long now = System.currentTimeMillis();
        ObjectNode info = JSON.createObjectNode().put("id", id).put("slug", "standin").put("projectID", "prj_standin")
                .put("directory", "/workspace").put("title", "New session - " + now).put("version", "1.0.0-standin");
        info.putObject("time").put("created", now).put("updated", now);
        Session session = new Session(id, info);
        sessions.put(id, session);
        publish("session.created", JSON.createObjectNode().set("info", info.deepCopy()));
        return session;
    }

    private ArrayNode messages(Session s) {
        ArrayNode out = JSON.createArrayNode();
        synchronized (busLock) {
            for (ObjectNode m : s.messages.values()) {
                ObjectNode entry = out.addObject();
                entry.set("info", m.deepCopy());
                ArrayNode parts = entry.putArray("parts");
                s.parts.get(m.get("id").asText()).values().forEach(p -> parts.add(p.deepCopy()));
            }
        }
        return out;
    }

    private void run(Session s, ObjectNode body) {
        String prompt = body.path("parts").path(0).path("text").asText();
        String providerID = body.path("model").path("providerID").asText("anthropic");
        String modelID = body.path("model").path("modelID").asText("claude-sonnet-4-5");
        if (prompt.contains("late")) {
            // OpenCode's first prompt waits for its plugins before the user message is stored.
            try {
                Thread.sleep(LATE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        long now = System.currentTimeMillis();
        s.busy = true;
        s.abort = new CountDownLatch(1);

        ObjectNode user = JSON.createObjectNode().put("id", id("msg")).put("sessionID", s.id).put("role", "user");
        user.putObject("time").put("created", now);
        user.put("agent", "build");
        user.putObject("model").put("providerID", providerID).put("modelID", modelID);
        updateMessage(s, user);
        ObjectNode userText = part(s, user, "text").put("text", prompt);
        updatePart(s, userText, null);
        status(s, "busy");
        // Another client's session on the same server: not the run's business.
        publish("session.status", statusOf("ses_someone_else", "busy"));

        String reply = "You asked: " + prompt;
        try {
            if (prompt.contains("retry")) {
                // The provider fails in a way OpenCode retries: it says so in session.status and waits.
                // An abort while it waits ends the message without an error and the session idle, and
                // no session.error is published.
                ObjectNode a = assistant(s, user, providerID, modelID);
                ObjectNode retrying = statusOf(s.id, "retry");
                ((ObjectNode) retrying.get("status")).put("attempt", 1).put("message", "Overloaded")
                        .put("next", now + WAIT.toMillis());
                publish("session.status", retrying);
                if (!s.abort.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                ((ObjectNode) a.get("time")).put("completed", System.currentTimeMillis());
                updateMessage(s, a);
            } else if (prompt.contains("permission")) {
                askPermission(s, user, providerID, modelID, prompt);
            } else if (prompt.contains("tool")) {
                ObjectNode first = assistant(s, user, providerID, modelID);
                updatePart(s, part(s, first, "step-start"), null);
                ObjectNode tool = part(s, first, "tool").put("callID", "toolu_01").put("tool", "bash");
                ObjectNode input = JSON.createObjectNode().put("command", "ls");
                tool.putObject("state").put("status", "pending").put("raw", "").set("input", input);
                updatePart(s, tool, null);
                ((ObjectNode) tool.get("state")).put("status", "running").put("title", "ls").putObject("time").put("start", now);
                updatePart(s, tool, null);
                ObjectNode done = (ObjectNode) tool.get("state");
                done.put("status", "completed").put("output", "README.md\n").putObject("metadata");
                ((ObjectNode) done.get("time")).put("end", now + 5);
                updatePart(s, tool, null);
                finishStep(s, first, 0.01, "tool-calls");
                ObjectNode second = assistant(s, user, providerID, modelID);
                updatePart(s, part(s, second, "step-start"), null);
                streamText(s, second, reply, reply.length());
                finishStep(s, second, 0.02, "stop");
            } else if (prompt.contains("fail")) {
                ObjectNode a = assistant(s, user, providerID, modelID);
                ObjectNode error = JSON.createObjectNode().put("name", "ProviderAuthError");
                error.putObject("data").put("providerID", providerID).put("message", "Invalid API key");
                a.set("error", error);
                ((ObjectNode) a.get("time")).put("completed", System.currentTimeMillis());
                updateMessage(s, a);
                publish("session.error", JSON.createObjectNode().put("sessionID", s.id).set("error", error.deepCopy()));
            } else if (prompt.contains("slow")) {
                ObjectNode a = assistant(s, user, providerID, modelID);
                updatePart(s, part(s, a, "step-start"), null);
                ObjectNode text = streamText(s, a, reply, PIECE);
                CountDownLatch gate = slowGate;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!gate.await(10, TimeUnit.MILLISECONDS)) {
                    if (s.abort.getCount() == 0 || System.nanoTime() - deadline > 0) {
                        abortText(s, a, text);
                        idle(s);
                        return;
                    }
                }
                appendText(s, text, reply.substring(PIECE));
                finishStep(s, a, 0.02, "stop");
            } else if (prompt.contains("wait") || prompt.contains("ignore-abort")) {
                ObjectNode a = assistant(s, user, providerID, modelID);
                updatePart(s, part(s, a, "step-start"), null);
                ObjectNode text = streamText(s, a, reply, PIECE);
                if (prompt.contains("ignore-abort")) {
                    s.abort.await(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
                    return;
                }
                if (!s.abort.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                abortText(s, a, text);
            } else if (prompt.contains("drop")) {
                boolean finishAlone = prompt.contains("drop-finish");
                ObjectNode a = assistant(s, user, providerID, modelID);
                updatePart(s, part(s, a, "step-start"), null);
                ObjectNode text = part(s, a, "text").put("text", "");
                text.putObject("time").put("start", now);
                int half = reply.length() / 2;
                int threeQuarters = reply.length() * 3 / 4;
                appendText(s, text, reply.substring(0, half));
                CountDownLatch back = deafen();
                appendText(s, text, reply.substring(half, threeQuarters));
                if (finishAlone) {
                    appendText(s, text, reply.substring(threeQuarters));
                    finishStep(s, a, 0.02, "stop");
                    idle(s);
                    closeDeaf();
                    return;
                }
                closeDeaf();
                if (!back.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                appendText(s, text, reply.substring(threeQuarters));
                finishStep(s, a, 0.02, "stop");
            } else {
                ObjectNode a = assistant(s, user, providerID, modelID);
                updatePart(s, part(s, a, "step-start"), null);
                streamText(s, a, reply, reply.length());
                finishStep(s, a, 0.02, "stop");
            }
            idle(s);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A bash call that needs approval: OpenCode asks for it ({@code permission.asked}, or with
     * {@code legacy} in the prompt the older {@code permission.updated}; with {@code subagent}, a
     * child session asks) and waits for the reply. A rejection fails the call; with a message (the
     * newer API) the model reads it and answers in a second step, without it the session stops.
     */
    private void askPermission(Session s, ObjectNode user, String providerID, String modelID, String prompt)
            throws InterruptedException {
        boolean legacy = prompt.contains("legacy");
        String asking = s.id;
        if (prompt.contains("subagent")) {
            Session child = create();
            child.info.put("parentID", s.id);
            publish("session.updated", JSON.createObjectNode().set("info", child.info.deepCopy()));
            asking = child.id;
        }
        ObjectNode a = assistant(s, user, providerID, modelID);
        updatePart(s, part(s, a, "step-start"), null);
        ObjectNode tool = part(s, a, "tool").put("callID", "toolu_02").put("tool", "bash");
        ObjectNode state = tool.putObject("state").put("status", "running").put("title", "git push origin main");
        state.putObject("input").put("command", "git push origin main");
        updatePart(s, tool, null);

        String request = id("per");
        CompletableFuture<ObjectNode> replied = new CompletableFuture<>();
        permissions.put(request, replied);
        ObjectNode asked = JSON.createObjectNode().put("id", request).put("sessionID", asking);
        if (legacy) {
            asked.put("type", "bash").put("pattern", "git push origin main").put("messageID", a.get("id").asText())
                    .put("callID", "toolu_02").put("title", "git push origin main").putObject("metadata");
            asked.putObject("time").put("created", System.currentTimeMillis());
        } else {
            asked.put("permission", "bash");
            asked.putArray("patterns").add("git push origin main");
            asked.putArray("always").add("git push *");
            asked.putObject("metadata");
            asked.putObject("tool").put("messageID", a.get("id").asText()).put("callID", "toolu_02");
        }
        publish(legacy ? "permission.updated" : "permission.asked", asked);
        ObjectNode reply = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (reply == null) {
            if (s.abort.getCount() == 0) {
                // OpenCode 1.18 drops the request on an abort, and says nothing of it.
                permissions.remove(request);
                state.put("status", "error").put("error", "Tool execution aborted");
                updatePart(s, tool, null);
                abortText(s, a, null);
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                return;
            }
            try {
                reply = replied.get(10, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // Checked for an abort again.
            } catch (ExecutionException e) {
                return;
            }
        }
        String answer = reply.path(legacy ? "response" : "reply").asText();
        publish("permission.replied", JSON.createObjectNode().put("sessionID", asking)
                .put(legacy ? "permissionID" : "requestID", request).put(legacy ? "response" : "reply", answer));
        String feedback = reply.path("message").asText("");
        if (answer.equals("reject")) {
            state.put("status", "error").put("error", feedback.isEmpty()
                    ? "The user rejected permission to use this specific tool call."
                    : "The user rejected permission to use this specific tool call with the following feedback: " + feedback);
        } else {
            state.put("status", "completed").put("output", "");
        }
        updatePart(s, tool, null);
        finishStep(s, a, 0.01, "tool-calls");
        if (!feedback.isEmpty()) {
            ObjectNode second = assistant(s, user, providerID, modelID);
            updatePart(s, part(s, second, "step-start"), null);
            streamText(s, second, "I could not push: no one can approve it.", Integer.MAX_VALUE);
            finishStep(s, second, 0.01, "stop");
        }
    }

    private ObjectNode assistant(Session s, ObjectNode user, String providerID, String modelID) {
        ObjectNode a = JSON.createObjectNode().put("id", id("msg")).put("sessionID", s.id).put("role", "assistant");
        a.putObject("time").put("created", System.currentTimeMillis());
        a.put("parentID", user.get("id").asText()).put("modelID", modelID).put("providerID", providerID)
                .put("mode", "build").put("agent", "build");
        a.putObject("path").put("cwd", "/workspace").put("root", "/workspace");
        a.put("cost", 0);
        tokens(a.putObject("tokens"), 0, 0);
        updateMessage(s, a);
        return a;
    }

    /** Streams {@code text} as a new text part; stops after {@code upTo} chars. */
    /** Ends an aborted message: its text as it stands, {@code MessageAbortedError}, {@code session.error}. */
    private void abortText(Session s, ObjectNode message, ObjectNode text) {
        if (text != null) {
            updatePart(s, text, null);
        }
        ObjectNode error = JSON.createObjectNode().put("name", "MessageAbortedError");
        error.putObject("data").put("message", "The operation was aborted.");
        message.set("error", error);
        ((ObjectNode) message.get("time")).put("completed", System.currentTimeMillis());
        updateMessage(s, message);
        publish("session.error", JSON.createObjectNode().put("sessionID", s.id).set("error", error.deepCopy()));
    }

    private ObjectNode streamText(Session s, ObjectNode message, String text, int upTo) {
        ObjectNode part = part(s, message, "text").put("text", "");
        part.putObject("time").put("start", System.currentTimeMillis());
        for (int i = 0; i < Math.min(upTo, text.length()); i += PIECE) {
            appendText(s, part, text.substring(i, Math.min(Math.min(upTo, text.length()), i + PIECE)));
        }
        if (upTo >= text.length()) {
            ((ObjectNode) part.get("time")).put("end", System.currentTimeMillis());
            updatePart(s, part, null);
        }
        return part;
    }

    private void appendText(Session s, ObjectNode part, String piece) {
        for (int i = 0; i < piece.length(); i += PIECE) {
            String delta = piece.substring(i, Math.min(piece.length(), i + PIECE));
            part.put("text", part.get("text").asText() + delta);
            if (deltaEvents) {
                store(s, part);
                publish("message.part.delta", JSON.createObjectNode().put("sessionID", s.id)
                        .put("messageID", part.get("messageID").asText()).put("partID", part.get("id").asText())
                        .put("field", "text").put("delta", delta));
            } else {
                updatePart(s, part, delta);
            }
        }
    }

    private void finishStep(Session s, ObjectNode message, double cost, String finish) {
        ObjectNode stepFinish = part(s, message, "step-finish").put("reason", finish).put("cost", cost);
        tokens(stepFinish.putObject("tokens"), 1200, 85);
        updatePart(s, stepFinish, null);
        message.put("cost", cost).put("finish", finish);
        tokens((ObjectNode) message.get("tokens"), 1200, 85);
        ((ObjectNode) message.get("time")).put("completed", System.currentTimeMillis());
        updateMessage(s, message);
    }

    private static void tokens(ObjectNode tokens, int input, int output) {
        tokens.put("input", input).put("output", output).put("reasoning", 0);
        tokens.putObject("cache").put("read", input == 0 ? 0 : 4000).put("write", 0);
    }

    private void idle(Session s) {
        s.busy = false;
        status(s, "idle");
        publish("session.idle", JSON.createObjectNode().put("sessionID", s.id));
    }

    private void status(Session s, String type) {
        publish("session.status", statusOf(s.id, type));
    }

    private static ObjectNode statusOf(String session, String type) {
        ObjectNode properties = JSON.createObjectNode().put("sessionID", session);
        properties.putObject("status").put("type", type);
        return properties;
    }

    private ObjectNode part(Session s, ObjectNode message, String type) {
        return JSON.createObjectNode().put("id", id("prt")).put("sessionID", s.id)
                .put("messageID", message.get("id").asText()).put("type", type);
    }

    private void updateMessage(Session s, ObjectNode info) {
        synchronized (busLock) {
            String id = info.get("id").asText();
            s.parts.putIfAbsent(id, new LinkedHashMap<>());
            s.messages.put(id, info.deepCopy());
            publish("message.updated", JSON.createObjectNode().put("sessionID", s.id).set("info", info.deepCopy()));
        }
    }

    private void updatePart(Session s, ObjectNode part, String delta) {
        synchronized (busLock) {
            store(s, part);
            ObjectNode properties = JSON.createObjectNode();
            properties.set("part", part.deepCopy());
            if (delta != null) {
                properties.put("delta", delta);
            }
            publish("message.part.updated", properties);
        }
    }

    private void store(Session s, ObjectNode part) {
        synchronized (busLock) {
            s.parts.get(part.get("messageID").asText()).put(part.get("id").asText(), part.deepCopy());
        }
    }
}
