package io.execstream.adapters.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.OutputType;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CommandExit;
import io.execstream.ports.RunningCommand;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One prompt run against a project's OpenCode server, on a thread of its own. That thread makes
 * every call into the listener, so they are sequential; the event connections only queue
 * {@link Signal}s for it.
 *
 * <p>Steps: open {@code GET /event} and wait for its first event (OpenCode sends
 * {@code server.connected} once the connection is subscribed, so nothing after it is missed);
 * create a session, or check the one to resume and note its messages; send the prompt with
 * {@code prompt_async}; follow the session's events until it goes idle or reports an error. A
 * dropped event connection is opened again, and the session's messages are reloaded to fill what
 * it missed. {@link #terminate} asks OpenCode to abort the session and waits for it to end, at
 * most the abort grace period.
 */
final class OpenCodeRun implements RunningCommand, Runnable {
    private static final System.Logger LOG = System.getLogger(OpenCodeRun.class.getName());
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    /** How long an event connection may stay silent before it is replaced. */
    static final Duration SILENCE = Duration.ofSeconds(60);

    private final OpenCodeHttp http;
    private final AgentPrompt prompt;
    private final AgentListener listener;
    private final Duration requestTimeout;
    private final Duration abortGrace;
    private final Duration reconnectFor;
    private final LinkedBlockingQueue<Signal> inbox = new LinkedBlockingQueue<>();
    private volatile boolean stopRequested;

    // Owned by the run's thread.
    /** Signals taken from the inbox while connecting, to be handled first. */
    private final ArrayDeque<Signal> pending = new ArrayDeque<>();
    private EventSubscriber current;
    private int connections;
    private String sessionId;
    /** The run's session and its subagents' sessions, as far as they were seen being made. */
    private final Set<String> sessionTree = new HashSet<>();
    private boolean promptSent;
    private boolean aborting;
    private long abortDeadline;
    private Conversation conversation;

    OpenCodeRun(OpenCodeHttp http, AgentPrompt prompt, AgentListener listener, Duration requestTimeout,
                Duration abortGrace, Duration reconnectFor) {
        this.http = http;
        this.prompt = prompt;
        this.listener = listener;
        this.requestTimeout = requestTimeout;
        this.abortGrace = abortGrace;
        this.reconnectFor = reconnectFor;
    }

    @Override
    public void terminate() {
        stopRequested = true;
        inbox.add(new Signal.Stop());
    }

    @Override
    public void run() {
        CommandExit exit;
        try {
            exit = drive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abortInBackground();
            exit = new CommandExit.FailedToStart("interrupted while following OpenCode");
        } catch (RuntimeException | Error e) {
            // The listener threw, or a bug: stop the session rather than leave it running unseen.
            LOG.log(Level.WARNING, "OpenCode run failed; aborting its session", e);
            abortInBackground();
            exit = new CommandExit.FailedToStart("the OpenCode run failed: " + e);
        } finally {
            if (current != null) {
                current.cancel();
            }
        }
        listener.onExit(exit);
    }

    private CommandExit drive() throws InterruptedException {
        String refused = unsupported(prompt);
        if (refused != null) {
            return new CommandExit.FailedToStart(refused);
        }
        try {
            connect();
        } catch (OpenCodeHttp.CallFailed e) {
            return new CommandExit.FailedToStart(e.getMessage());
        }
        Set<String> baseline = new HashSet<>();
        try {
            if (prompt.sessionId().isPresent()) {
                sessionId = prompt.sessionId().get();
                http.get(sessionPath());
                for (JsonNode message : http.get(sessionPath() + "/message")) {
                    baseline.add(message.path("info").path("id").asText());
                }
            } else {
                sessionId = OpenCodeJson.text(http.post("/session", OpenCodeJson.MAPPER.createObjectNode()), "id");
                if (sessionId == null) {
                    return new CommandExit.FailedToStart("OpenCode at " + http.base() + " created a session without an id");
                }
            }
        } catch (OpenCodeHttp.CallFailed e) {
            return new CommandExit.FailedToStart(e.status() == 404 && prompt.sessionId().isPresent()
                    ? "OpenCode at " + http.base() + " has no session " + prompt.sessionId().get()
                    : e.getMessage());
        }
        listener.onSession(sessionId);
        sessionTree.add(sessionId);
        conversation = new Conversation(sessionId, baseline, new Conversation.Sink() {
            @Override
            public void stdout(String text) {
                write(OutputType.STDOUT, text);
            }

            @Override
            public void event(String json) {
                listener.onAgentEvent(json);
            }
        });
        if (stopRequested) {
            return new CommandExit.FailedToStart("stopped before the prompt was sent");
        }
        try {
            http.post(sessionPath() + "/prompt_async", promptBody(prompt));
        } catch (OpenCodeHttp.CallFailed e) {
            return new CommandExit.FailedToStart(e.getMessage());
        }
        promptSent = true;
        return follow();
    }

    /** Handles signals until the session ends; the run's exit. */
    private CommandExit follow() throws InterruptedException {
        while (true) {
            startAbortIfAsked();
            Signal signal = next();
            if (signal == null) {
                return new CommandExit.FailedToStart("OpenCode did not end the session within " + abortGrace + " of the abort");
            }
            if (signal instanceof Signal.Data data && data.connection() == current.connection()) {
                CommandExit end = onEvent(data.json());
                if (end != null) {
                    return end;
                }
            } else if (signal instanceof Signal.Ended ended && ended.connection() == current.connection()) {
                CommandExit end = reconnect(ended.error());
                if (end != null) {
                    return end;
                }
            }
        }
    }

    private CommandExit onEvent(String json) {
        ObjectNode event = OpenCodeJson.parseObject(json);
        if (event == null) {
            return null;
        }
        String type = String.valueOf(OpenCodeJson.text(event, "type"));
        if (type.equals("server.connected")) {
            // Marks each (re)connection in the stream.
            listener.onAgentEvent(OpenCodeJson.compact(event));
            return null;
        }
        JsonNode properties = event.path("properties");
        String owner = OpenCodeJson.sessionOf(event);
        if (!sessionId.equals(owner)) {
            onOtherSession(type, owner, event);
            return null;
        }
        conversation.onEvent(event);
        if (PermissionRequest.asks(type)) {
            deny(PermissionRequest.of(type, properties));
            return null;
        }
        if (type.equals("session.error")) {
            return finish(Conversation.SessionError.of(properties.path("error")));
        }
        boolean idle = type.equals("session.idle")
                || type.equals("session.status") && "idle".equals(OpenCodeJson.text(properties.path("status"), "type"));
        // An idle session that has no message of this run yet is still before the prompt.
        return idle && conversation.started() ? finish(null) : null;
    }

    /**
     * An event of another session: only a subagent's session (a child of the run's, as the task
     * tool makes) matters, for its requests for permission, which would hold the run as well.
     */
    private void onOtherSession(String type, String owner, ObjectNode event) {
        if (owner == null) {
            return;
        }
        if (type.equals("session.created") || type.equals("session.updated")) {
            if (sessionTree.contains(OpenCodeJson.text(event.path("properties").path("info"), "parentID"))) {
                sessionTree.add(owner);
            }
        } else if (PermissionRequest.asks(type) && sessionTree.contains(owner)) {
            listener.onAgentEvent(OpenCodeJson.compact(event));
            deny(PermissionRequest.of(type, event.path("properties")));
        }
    }

    /**
     * Denies a request for permission, visibly: no one watches the run to approve it, and left
     * unanswered it would hold the run until it is cancelled or times out.
     */
    private void deny(PermissionRequest request) {
        if (request == null) {
            return;
        }
        String failure = null;
        try {
            http.post(request.replyPath(), request.rejectBody());
        } catch (OpenCodeHttp.CallFailed e) {
            failure = e.getMessage();
            LOG.log(Level.WARNING, "could not deny permission {0} of session {1}: {2}", request.id(), request.sessionId(),
                    failure);
        }
        write(OutputType.STDERR, request.stderrLine(failure));
        listener.onAgentEvent(request.deniedEvent(failure));
    }

    /**
     * Opens the event stream again after it dropped, then reloads the session's messages to fill
     * what it missed. The run's exit if it ended meanwhile or the stream cannot be had again.
     */
    private CommandExit reconnect(Throwable cause) throws InterruptedException {
        String lastError = cause == null ? "the server closed it" : OpenCodeHttp.describe(cause);
        LOG.log(Level.INFO, "OpenCode event stream of session {0} dropped ({1}); reconnecting", sessionId, lastError);
        long giveUpAt = System.nanoTime() + reconnectFor.toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            if (!pause(backoff)) {
                return new CommandExit.FailedToStart("OpenCode did not end the session within " + abortGrace + " of the abort");
            }
            try {
                connect();
                // The new connection's first event marks the reconnection in the stream, before what the reload fills in.
                CommandExit ended = onEvent(((Signal.Data) pending.poll()).json());
                if (ended != null) {
                    return ended;
                }
                JsonNode status = http.get("/session/status").path(sessionId);
                boolean busy = !status.isMissingNode() && !"idle".equals(OpenCodeJson.text(status, "type"));
                conversation.reload(http.get(sessionPath() + "/message"));
                if (!busy && conversation.answered()) {
                    return finish(conversation.messageError());
                }
                return null;
            } catch (OpenCodeHttp.CallFailed e) {
                lastError = e.getMessage();
            }
            if (System.nanoTime() - giveUpAt > 0) {
                return new CommandExit.FailedToStart("lost the event stream of OpenCode at " + http.base()
                        + " and could not open it again within " + reconnectFor + ": " + lastError);
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** The session ended: the run's result from its messages as OpenCode stored them. */
    private CommandExit finish(Conversation.SessionError reported) {
        try {
            conversation.reload(http.get(sessionPath() + "/message"));
        } catch (OpenCodeHttp.CallFailed e) {
            LOG.log(Level.DEBUG, "could not reload the messages of session {0} at its end: {1}", sessionId, e.getMessage());
        }
        Conversation.SessionError error = reported != null ? reported : conversation.messageError();
        if (error == null && aborting) {
            // A stopped run is never a success, whatever OpenCode reports (or leaves out) after the abort.
            error = Conversation.SessionError.ASKED_ABORT;
        }
        if (error != null && !(error.aborted() && aborting)) {
            write(OutputType.STDERR, "opencode: " + error.name() + ": " + error.message() + "\n");
        }
        listener.onResult(conversation.result(error));
        return new CommandExit.Exited(error == null ? 0 : 1);
    }

    /**
     * Opens {@code GET /event} and waits for its first event, which is kept to be handled first.
     */
    private void connect() throws OpenCodeHttp.CallFailed, InterruptedException {
        if (current != null) {
            current.cancel();
        }
        EventSubscriber subscriber = new EventSubscriber(++connections, inbox::add);
        current = subscriber;
        http.openEvents(subscriber);
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        while (true) {
            Signal signal = inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (signal == null) {
                subscriber.cancel();
                throw new OpenCodeHttp.CallFailed("OpenCode at " + http.base() + " opened the event stream but sent no event within "
                        + requestTimeout, 0);
            }
            if (signal instanceof Signal.Data data && data.connection() == subscriber.connection()) {
                pending.add(signal);
                return;
            }
            if (signal instanceof Signal.Ended ended && ended.connection() == subscriber.connection()) {
                throw new OpenCodeHttp.CallFailed("OpenCode at " + http.base() + " closed the event stream at once"
                        + (ended.error() == null ? "" : ": " + OpenCodeHttp.describe(ended.error())), 0);
            }
            // Anything else is from an older connection, or a stop, which the flag remembers.
        }
    }

    /**
     * The next signal; null when the abort grace period ran out first. A connection silent for
     * {@link #SILENCE} counts as dropped: OpenCode sends a heartbeat every 10 s, so a connection
     * that a network fault left half open is found and replaced.
     */
    private Signal next() throws InterruptedException {
        if (!pending.isEmpty()) {
            return pending.poll();
        }
        if (!aborting) {
            Signal signal = inbox.poll(SILENCE.toNanos(), TimeUnit.NANOSECONDS);
            return signal != null ? signal
                    : new Signal.Ended(current.connection(), new IOException("no event for " + SILENCE.toSeconds() + " s"));
        }
        long left = abortDeadline - System.nanoTime();
        return left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
    }

    /** Waits {@code delay} while disconnected, starting an abort if asked; false when the abort grace ran out. */
    private boolean pause(Duration delay) throws InterruptedException {
        long until = System.nanoTime() + delay.toNanos();
        while (true) {
            startAbortIfAsked();
            long now = System.nanoTime();
            if (aborting && now - abortDeadline > 0) {
                return false;
            }
            long left = until - now;
            if (left <= 0) {
                return true;
            }
            // Signals of the dropped connection are of no use now.
            inbox.poll(left, TimeUnit.NANOSECONDS);
        }
    }

    private void startAbortIfAsked() {
        if (stopRequested && !aborting) {
            aborting = true;
            abortDeadline = System.nanoTime() + abortGrace.toNanos();
            abortInBackground();
        }
    }

    private void abortInBackground() {
        if (!promptSent || sessionId == null) {
            return;
        }
        String session = sessionId;
        http.postInBackground(sessionPath() + "/abort", OpenCodeJson.MAPPER.createObjectNode()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() / 100 != 2) {
                LOG.log(Level.WARNING, "OpenCode at {0} did not take the abort of session {1}: {2}", http.base(), session,
                        e != null ? OpenCodeHttp.describe(e) : "HTTP " + r.statusCode());
            }
        });
    }

    private void write(OutputType type, String text) {
        listener.onOutput(type, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private String sessionPath() {
        return "/session/" + sessionId;
    }

    /** Why OpenCode cannot run {@code prompt}, or null when it can. */
    static String unsupported(AgentPrompt prompt) {
        // validate refuses them before a stream opens; this is for a caller that skipped it.
        if (!prompt.options().isEmpty()) {
            return "OpenCode takes no options (got " + String.join(", ", prompt.options().keySet())
                    + "); configure its agent instead";
        }
        if (prompt.model().isPresent() && prompt.model().get().indexOf('/') <= 0) {
            return "an OpenCode model is named provider/model, e.g. anthropic/claude-sonnet-4-5; got " + prompt.model().get();
        }
        return null;
    }

    /** The body of {@code POST /session/:id/prompt_async}. */
    static ObjectNode promptBody(AgentPrompt prompt) {
        ObjectNode body = OpenCodeJson.MAPPER.createObjectNode();
        body.putArray("parts").addObject().put("type", "text").put("text", prompt.prompt());
        prompt.model().ifPresent(model -> {
            int slash = model.indexOf('/');
            body.putObject("model").put("providerID", model.substring(0, slash)).put("modelID", model.substring(slash + 1));
        });
        return body;
    }
}
