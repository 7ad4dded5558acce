package io.execstream.client;

import io.execstream.sse.SseEvent;
import io.execstream.sse.SseParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream being followed: see {@link ExecStreamClient#follow}. Its events go to its
 * {@link StreamListener}, on a reader thread of its own, until the done event, a failure, or
 * {@link #close()}.
 */
public final class EventStream implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventStream.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Answers that say "not now" rather than "never": worth a reconnect. */
    private static final Set<Integer> RETRIABLE = Set.of(429, 500, 502, 503, 504);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final ExecStreamClient client;
    private final URI url;
    private final StreamListener listener;
    private final Thread thread;
    private final CompletableFuture<DoneEvent> completion = new CompletableFuture<>();
    private final CountDownLatch closedSignal = new CountDownLatch(1);
    private volatile String lastEventId;
    private volatile Long serverRetryMs;
    private volatile long lastActivityNanos;

    private final Object lock = new Object();
    /** Guarded by lock: the caller closed the stream. */
    private boolean closed;
    /** Guarded by lock: the reader waits on the network (not in a listener call). */
    private boolean blocking;
    /** Guarded by lock: the watchdog woke the reader because the connection went silent. */
    private boolean idleAbort;
    /** Guarded by lock: the terminal callback has begun; close() no longer cancels the completion. */
    private boolean terminal;
    /** Guarded by lock: the request waiting for its response headers. */
    private CompletableFuture<?> pending;
    /**
     * Guarded by lock: the body being read. Closing it is what wakes a blocked read: the JDK's
     * response stream does not answer an interrupt.
     */
    private InputStream body;

    /** How one connection ended. */
    private sealed interface Outcome permits Finished, Fatal, Dropped {
    }

    /** The done event was delivered, or the stream was closed: nothing more to do. */
    private record Finished() implements Outcome {
    }

    private record Fatal(ExecStreamException error) implements Outcome {
    }

    /** The connection failed or ended early; {@code opened}: it got a 200; {@code events}: it brought events. */
    private record Dropped(boolean opened, boolean events, ExecStreamException error) implements Outcome {
    }

    private static final Finished FINISHED = new Finished();

    EventStream(ExecStreamClient client, URI url, String lastEventId, StreamListener listener) {
        this.client = client;
        this.url = url;
        this.listener = listener;
        this.lastEventId = lastEventId == null ? "" : lastEventId;
        this.thread = new Thread(this::run, "execstream-follow-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Completes with the done event once {@link StreamListener#onDone} has returned; completes
     * exceptionally with the {@link ExecStreamException} once {@link StreamListener#onFailure}
     * has returned; is cancelled by {@link #close()} before either. Completing or cancelling it
     * yourself does not affect the stream: {@link #close()} does.
     */
    public CompletableFuture<DoneEvent> completion() {
        return completion;
    }

    /** The id of the last event delivered (empty before the first): where a resume would start. */
    public String lastEventId() {
        return lastEventId;
    }

    /** The URL this stream is read from. */
    public URI url() {
        return url;
    }

    /**
     * Stops following: drops the connection, makes no further call to the listener (a call
     * already under way runs to its end) and cancels {@link #completion()} unless the terminal
     * call has begun. Idempotent; may be called from a listener callback.
     */
    @Override
    public void close() {
        boolean cancelCompletion;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            cancelCompletion = !terminal;
            abortConnection();
        }
        closedSignal.countDown();
        if (cancelCompletion) {
            completion.cancel(false);
        }
    }

    /** Under lock: wakes the reader from whatever network wait it is in, or is about to enter. */
    private void abortConnection() {
        if (pending != null) {
            pending.cancel(true);
        }
        if (body != null) {
            quietlyClose(body);
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void run() {
        ScheduledFuture<?> watch = watchForSilence();
        try {
            follow();
        } catch (RuntimeException | Error e) {
            fail(new ExecStreamException(0, "protocol", "following the stream failed: " + e, e));
        } finally {
            if (watch != null) {
                watch.cancel(false);
            }
            client.ended(this);
        }
    }

    private void follow() {
        ReconnectPolicy policy = client.reconnect();
        boolean everOpened = false;
        int attempts = 0;
        while (true) {
            Outcome outcome = connectAndRead();
            if (outcome instanceof Finished) {
                return;
            }
            if (outcome instanceof Fatal fatal) {
                fail(fatal.error());
                return;
            }
            Dropped dropped = (Dropped) outcome;
            everOpened |= dropped.opened();
            if (!everOpened) {
                // The stream never opened: a wrong URL or a server that is not there, not a drop.
                fail(dropped.error());
                return;
            }
            attempts = dropped.events() ? 1 : attempts + 1;
            if (attempts > policy.maxAttempts()) {
                ExecStreamException last = dropped.error();
                fail(new ExecStreamException(last.status(), last.error(), "gave up after " + policy.maxAttempts()
                        + " reconnect attempt(s) without an event: " + last.getMessage(), last));
                return;
            }
            Duration delay = policy.delayBefore(attempts, serverRetryMs);
            LOG.log(System.Logger.Level.DEBUG, "reconnecting to {0} in {1} ms after: {2}", url, delay.toMillis(),
                    dropped.error().getMessage());
            try {
                if (closedSignal.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Outcome connectAndRead() {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(client.requestTimeout())
                .header("Accept", "text/event-stream")
                .header("Cache-Control", "no-cache");
        if (client.apiKey() != null) {
            request.header(ExecStreamClient.API_KEY_HEADER, client.apiKey());
        }
        if (!lastEventId.isEmpty()) {
            request.header("Last-Event-ID", lastEventId);
        }
        lastActivityNanos = System.nanoTime();
        CompletableFuture<HttpResponse<InputStream>> sent =
                client.http().sendAsync(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response;
        synchronized (lock) {
            if (closed) {
                sent.cancel(true);
                return FINISHED;
            }
            idleAbort = false;
            pending = sent;
            blocking = true;
        }
        try {
            response = sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return FINISHED;
        } catch (ExecutionException | CancellationException e) {
            if (isClosed()) {
                return FINISHED;
            }
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            String why = idleAborted() ? "no response headers within " + client.idleTimeout().toMillis() + " ms"
                    : cause instanceof IOException io ? ExecStreamClient.describe(io) : String.valueOf(cause);
            return new Dropped(false, false, new ExecStreamException(0, "io", "GET " + url + ": " + why, cause));
        } finally {
            settle();
        }
        if (isClosed()) {
            quietlyClose(response.body());
            return FINISHED;
        }
        int status = response.statusCode();
        if (status == 204) {
            quietlyClose(response.body());
            return new Fatal(new ExecStreamException(204, "ended",
                    "the stream had already ended: nothing follows event " + lastEventId));
        }
        if (status != 200) {
            ExecStreamException error = ExecStreamClient.errorOf(status, errorBody(response.body()));
            return RETRIABLE.contains(status) ? new Dropped(false, false, error) : new Fatal(error);
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/event-stream")) {
            quietlyClose(response.body());
            return new Fatal(new ExecStreamException(200, "protocol", "not an event stream: Content-Type " + type));
        }
        return read(response.body());
    }

    private Outcome read(InputStream stream) {
        Delivery delivery = new Delivery();
        SseParser parser = new SseParser(delivery, lastEventId);
        byte[] buffer = new byte[16 * 1024];
        synchronized (lock) {
            body = stream;
        }
        try (InputStream in = stream) {
            while (true) {
                synchronized (lock) {
                    if (closed) {
                        return FINISHED;
                    }
                    blocking = true;
                }
                int n;
                try {
                    n = in.read(buffer);
                } finally {
                    settle();
                }
                if (n < 0) {
                    parser.finish();
                    if (isClosed()) {
                        return FINISHED;
                    }
                    String why = idleAborted() ? "nothing arrived for " + client.idleTimeout().toMillis() + " ms"
                            : "the response ended before the done event";
                    return new Dropped(true, delivery.events > 0, new ExecStreamException(0, "io", why));
                }
                lastActivityNanos = System.nanoTime();
                parser.feed(buffer, 0, n);
                if (delivery.outcome != null) {
                    return delivery.outcome;
                }
            }
        } catch (IOException e) {
            if (isClosed()) {
                return FINISHED;
            }
            String why = idleAborted() ? "nothing arrived for " + client.idleTimeout().toMillis() + " ms"
                    : "the connection broke: " + ExecStreamClient.describe(e);
            return new Dropped(true, delivery.events > 0, new ExecStreamException(0, "io", why, e));
        } finally {
            synchronized (lock) {
                body = null;
            }
        }
    }

    /** Leaves a network wait. */
    private void settle() {
        synchronized (lock) {
            blocking = false;
            pending = null;
        }
    }

    private boolean idleAborted() {
        synchronized (lock) {
            return idleAbort;
        }
    }

    /** Hands parsed events to the listener, and records where the connection must stop. */
    private final class Delivery implements SseParser.Listener {
        Outcome outcome;
        int events;

        @Override
        public void onEvent(SseEvent event) {
            if (outcome != null) {
                return;
            }
            if (event.retry() != null) {
                serverRetryMs = event.retry();
            }
            String id = event.lastEventId();
            Runnable call;
            try {
                call = switch (event.type()) {
                    case "output" -> {
                        Map<String, Object> m = Json.parseObject(event.data());
                        OutputEvent output = new OutputEvent(id, Json.text(m, "type"), Json.text(m, "content"),
                                Json.instant(m.get("ts")));
                        yield () -> listener.onOutput(output);
                    }
                    case "agent" -> {
                        AgentEvent agent = new AgentEvent(id, event.data(), Json.parseObject(event.data()));
                        yield () -> listener.onAgent(agent);
                    }
                    case "input" -> {
                        Map<String, Object> m = Json.parseObject(event.data());
                        InputEvent input = new InputEvent(id, Json.text(m, "data"), Boolean.TRUE.equals(m.get("eof")));
                        yield () -> listener.onInput(input);
                    }
                    case "message" -> {
                        Map<String, Object> m = Json.parseObject(event.data());
                        MessageEvent message = new MessageEvent(id, Json.text(m, "prompt"), (int) whole(m, "turn"),
                                Boolean.TRUE.equals(m.get("queued")));
                        yield () -> listener.onMessage(message);
                    }
                    case "turn" -> {
                        TurnEvent turn = turn(id, Json.parseObject(event.data()));
                        yield () -> listener.onTurn(turn);
                    }
                    case "permission" -> {
                        PermissionEvent permission = new PermissionEvent(id,
                                PermissionRequest.of(Json.parseObject(event.data())));
                        yield () -> listener.onPermission(permission);
                    }
                    case "permission_resolved" -> {
                        PermissionResolvedEvent resolved = resolved(id, Json.parseObject(event.data()));
                        yield () -> listener.onPermissionResolved(resolved);
                    }
                    case "gap" -> {
                        Map<String, Object> m = Json.parseObject(event.data());
                        if (!(m.get("missed") instanceof Number missed)) {
                            throw new IllegalArgumentException("gap without missed");
                        }
                        GapEvent gap = new GapEvent(id, missed.longValue());
                        yield () -> listener.onGap(gap);
                    }
                    case "done" -> {
                        DoneEvent done = done(id, Json.parseObject(event.data()));
                        outcome = FINISHED;
                        lastEventId = id;
                        done(done);
                        yield null;
                    }
                    default -> null; // a kind of event this client does not know: ignored
                };
            } catch (IllegalArgumentException e) {
                outcome = new Fatal(new ExecStreamException(200, "protocol",
                        "unreadable " + event.type() + " event " + id + ": " + e.getMessage(), e));
                return;
            }
            if (call == null) {
                return;
            }
            if (isClosed()) {
                outcome = FINISHED;
                return;
            }
            try {
                call.run();
            } catch (RuntimeException | Error e) {
                outcome = new Fatal(new ExecStreamException(0, "listener", "a listener callback threw " + e, e));
                return;
            }
            lastEventId = id;
            events++;
        }

        @Override
        public void onComment(String text) {
            // keepalives: lastActivityNanos is already set by the read
        }
    }

    private static DoneEvent done(String id, Map<String, Object> m) {
        if (!(m.get("duration_ms") instanceof Number duration)) {
            throw new IllegalArgumentException("done without duration_ms");
        }
        Object exit = m.get("exit_code");
        return new DoneEvent(id, exit instanceof Number n ? n.intValue() : null, duration.longValue(),
                Json.text(m, "status"), m.get("message") instanceof String s ? s : null, m);
    }

    @SuppressWarnings("unchecked")
    private static TurnEvent turn(String id, Map<String, Object> m) {
        return new TurnEvent(id, (int) whole(m, "turn"), m.get("subtype") instanceof String s ? s : null,
                Boolean.TRUE.equals(m.get("is_error")),
                m.get("cost_usd") instanceof Number n ? n.doubleValue() : null,
                m.get("run_cost_usd") instanceof Number n ? n.doubleValue() : null,
                m.get("usage") instanceof Map<?, ?> usage ? (Map<String, Object>) usage : null,
                m.get("duration_ms") instanceof Number n ? n.longValue() : null);
    }

    private static PermissionResolvedEvent resolved(String id, Map<String, Object> m) {
        try {
            return new PermissionResolvedEvent(id, Json.text(m, "request_id"), Json.text(m, "outcome"),
                    m.get("decided_by") instanceof String s ? s : null, Instant.parse(Json.text(m, "decided_at")),
                    m.get("message") instanceof String s ? s : null);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("decided_at is not an instant: " + e.getParsedString(), e);
        }
    }

    private static long whole(Map<String, Object> m, String field) {
        if (m.get(field) instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("no " + field);
    }

    private void done(DoneEvent done) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            terminal = true;
        }
        try {
            listener.onDone(done);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "StreamListener.onDone threw", e);
        }
        completion.complete(done);
    }

    private void fail(ExecStreamException error) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            terminal = true;
        }
        try {
            listener.onFailure(error);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "StreamListener.onFailure threw", e);
        }
        completion.completeExceptionally(error);
    }

    private ScheduledFuture<?> watchForSilence() {
        Duration idle = client.idleTimeout();
        if (idle.isZero()) {
            return null;
        }
        long period = Math.max(10, idle.toMillis() / 4);
        try {
            return client.watchdog().scheduleAtFixedRate(() -> {
                synchronized (lock) {
                    if (blocking && !closed && System.nanoTime() - lastActivityNanos > idle.toNanos()) {
                        idleAbort = true;
                        abortConnection();
                    }
                }
            }, period, period, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null; // the client is closing; it closes this stream too
        }
    }

    private static String errorBody(InputStream body) {
        try (InputStream in = body) {
            return new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void quietlyClose(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            // nothing more to read from it anyway
        }
    }
}
