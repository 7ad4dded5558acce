package io.execstream.adapters.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.OutputType;
import io.execstream.domain.PermissionDecision;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CommandExit;
import io.execstream.ports.PermissionAsk;
import io.execstream.ports.RunningSession;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 *
 * <h2>A live session</h2>
 * For an {@linkplain AgentPrompt#interactive() interactive} prompt the run goes on after the first
 * turn. A turn is one prompt sent with {@code prompt_async}; it ends when the session goes idle
 * after OpenCode stored the prompt's user message (an idle from the turn before is not taken for
 * it). Follow-ups are queued here and each is sent only once the session is idle: OpenCode itself
 * takes a prompt sent while it works (HTTP 204), stores it at once and folds it into the running
 * turn, so the model answers both in one go and there is one idle for two messages; and an abort
 * drops such a stored prompt unanswered. An interrupt is {@code POST /session/:id/abort}; the
 * session then goes idle and takes the next message. The calls ({@link #send}, {@link #interrupt},
 * {@link #end}) only queue a {@link Signal.Call} for the run's thread.
 *
 * <h2>Approvals</h2>
 * A live session started with {@linkplain AgentPrompt#approvals() approvals} passes each request
 * for permission of its session tree on ({@link AgentListener#onPermissionRequest}, on the run's
 * thread, after the event that asked) and keeps it in {@link #awaiting} until it is settled:
 * {@link #answerPermission} takes it out and replies, on the caller's thread; a
 * {@code permission.replied} for a request still there (answered in OpenCode's own UI, or rejected
 * by OpenCode along with another request of its session) withdraws it, as does the end of the
 * turn that asked: an abort drops OpenCode's pending requests without a {@code permission.replied}.
 * Taking a request out of the map is what decides between an answer and a withdrawal, so only one
 * of them happens.
 */
final class OpenCodeRun implements RunningSession, Runnable {
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
    /** Whether this is a live session, which takes messages after its first turn. */
    private final boolean live;
    /** The live session's calls, in order; a {@link Signal.Wake} in the inbox tells the thread. */
    private final ConcurrentLinkedQueue<Signal.Call> calls = new ConcurrentLinkedQueue<>();
    /** Set once the session takes no more calls: after terminate, or the run's end. */
    private volatile boolean closed;
    /** Set by end: no more messages, but its last turn can still be interrupted. */
    private volatile boolean ending;
    /** Whether requests for permission are passed on to be answered, rather than denied at once. */
    private final boolean approvals;
    /**
     * The requests for permission passed on and not yet answered or withdrawn, by OpenCode's id:
     * the run's thread adds them, and whoever removes one (an answer, or the run's thread
     * withdrawing it) settles it.
     */
    private final ConcurrentHashMap<String, PermissionRequest> awaiting = new ConcurrentHashMap<>();

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

    // The live session's turns, owned by the run's thread.
    /** Messages sent while a turn ran, to be sent in order once the session is idle. */
    private final ArrayDeque<String> queued = new ArrayDeque<>();
    private boolean endAsked;
    private int turns;
    private Turn turn;

    /** The turn that runs: what the run had when it was sent, to tell its share and its own messages. */
    private static final class Turn {
        final long sentAt = System.nanoTime();
        final int userMark;
        final int messageMark;
        final Totals before;
        /** Whether OpenCode stored the turn's user message: an idle before that is not the turn's end. */
        boolean started;
        boolean interruptAsked;
        Conversation.SessionError error;

        Turn(Conversation conversation) {
            userMark = conversation.userMessages();
            messageMark = conversation.size();
            before = conversation.totals();
        }
    }

    OpenCodeRun(OpenCodeHttp http, AgentPrompt prompt, AgentListener listener, Duration requestTimeout,
                Duration abortGrace, Duration reconnectFor) {
        this.http = http;
        this.prompt = prompt;
        this.listener = listener;
        this.requestTimeout = requestTimeout;
        this.abortGrace = abortGrace;
        this.reconnectFor = reconnectFor;
        this.live = prompt.interactive();
        this.approvals = live && prompt.approvals();
    }

    @Override
    public void terminate() {
        closed = true;
        stopRequested = true;
        inbox.add(new Signal.Stop());
    }

    /** Marks a run whose thread never started: it takes no calls. */
    void abandon() {
        closed = true;
    }

    @Override
    public void send(String prompt) throws IOException {
        Objects.requireNonNull(prompt, "prompt");
        if (ending) {
            throw new IOException("the OpenCode session was ended; it takes no more messages");
        }
        call(new Signal.Send(prompt));
    }

    /** Stops the turn that runs; after {@link #end()} too, since the session's last turn still runs. */
    @Override
    public void interrupt() throws IOException {
        call(new Signal.Interrupt());
    }

    @Override
    public void end() {
        if (live && !closed && !ending) {
            ending = true;
            calls.add(new Signal.End());
            inbox.add(new Signal.Wake());
        }
    }

    /**
     * Replies to the request for permission {@code agentRequestId} on the caller's thread:
     * {@code once} for an allow, {@code reject} (with the decision's message, which the model
     * reads) for a deny. OpenCode runs a tool only with the input it asked for, so an allow with
     * updated input is refused.
     */
    /** OpenCode's reply is once, always or reject, with a message: it cannot change a call's input. */
    @Override
    public boolean takesUpdatedInput() {
        return false;
    }

    @Override
    public void answerPermission(String agentRequestId, PermissionDecision decision) throws IOException {
        Objects.requireNonNull(agentRequestId, "agentRequestId");
        Objects.requireNonNull(decision, "decision");
        if (!approvals) {
            throw new IOException("this OpenCode session was started without approvals: it asks no one");
        }
        if (decision.updatedInputJson() != null) {
            throw new IOException(UPDATED_INPUT_REFUSED);
        }
        if (closed) {
            throw new IOException("the OpenCode session has ended; it takes no more answers");
        }
        PermissionRequest request = awaiting.remove(agentRequestId);
        if (request == null) {
            throw new IOException("OpenCode does not wait for an answer to " + agentRequestId
                    + ": it was answered or withdrawn");
        }
        try {
            http.post(request.replyPath(), request.answerBody(decision));
        } catch (OpenCodeHttp.CallFailed e) {
            if (e.status() == 404) {
                throw new IOException(e.getMessage() + "; OpenCode no longer waits for an answer to it");
            }
            // Not taken: the request still waits, and a later answer may get through.
            if (!closed) {
                awaiting.putIfAbsent(agentRequestId, request);
            }
            throw new IOException(e.getMessage());
        }
    }

    /** Why an allow with updated input is refused. */
    static final String UPDATED_INPUT_REFUSED = "OpenCode runs a tool only with the input it asked for and takes no "
            + "updated_input: allow the call as asked, or deny it with a message that says what to do instead";

    private void call(Signal.Call call) throws IOException {
        if (!live) {
            throw new IOException("a one-prompt OpenCode run takes no messages");
        }
        if (closed) {
            throw new IOException("the OpenCode session takes no more messages");
        }
        calls.add(call);
        inbox.add(new Signal.Wake());
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
            closed = true;
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
            sendPrompt(prompt.prompt());
        } catch (OpenCodeHttp.CallFailed e) {
            return new CommandExit.FailedToStart(e.getMessage());
        }
        promptSent = true;
        return follow();
    }

    /** Handles signals until the session ends; the run's exit. */
    private CommandExit follow() throws InterruptedException {
        while (true) {
            if (live) {
                CommandExit end = takeCalls();
                if (end != null) {
                    return end;
                }
            }
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
            ask(PermissionRequest.of(type, properties));
            return null;
        }
        if (type.equals(PermissionRequest.REPLIED)) {
            replied(properties);
            return null;
        }
        if (type.equals("session.error")) {
            Conversation.SessionError error = Conversation.SessionError.of(properties.path("error"));
            if (!live) {
                return finish(error);
            }
            // A live session goes on: the error is the turn's, which ends when the session is idle. One
            // that comes before OpenCode took the turn's message is the turn before's, late.
            noteTurnStarted();
            if (turn != null && turn.started) {
                turn.error = error;
            }
            return null;
        }
        boolean idle = type.equals("session.idle")
                || type.equals("session.status") && "idle".equals(OpenCodeJson.text(properties.path("status"), "type"));
        if (live) {
            noteTurnStarted();
            return idle && turn != null && turn.started ? turnOver() : null;
        }
        // An idle session that has no message of this run yet is still before the prompt.
        return idle && conversation.started() ? finish(null) : null;
    }

    // ---- The live session

    /** Carries out the calls that came, in order; the run's exit when one ended it. */
    private CommandExit takeCalls() throws InterruptedException {
        if (stopRequested && turn == null) {
            // Nothing runs: there is nothing to abort.
            return finishLive();
        }
        Signal.Call call;
        while (!stopRequested && (call = calls.poll()) != null) {
            if (call instanceof Signal.Send send) {
                queued.add(send.prompt());
            } else if (call instanceof Signal.Interrupt) {
                interruptTurn();
            } else if (call instanceof Signal.End) {
                endAsked = true;
            }
        }
        return turn == null ? nextTurn() : null;
    }

    /** With no turn running: sends the next queued message, or ends the run when asked and none is left. */
    private CommandExit nextTurn() {
        while (!queued.isEmpty()) {
            String next = queued.poll();
            try {
                sendPrompt(next);
                return null;
            } catch (OpenCodeHttp.CallFailed e) {
                // The message never reached OpenCode: its turn ends at once, as a failure.
                write(OutputType.STDERR, "opencode: " + e.getMessage() + "\n");
                Turn failed = turn;
                turn = null;
                reportTurn(failed, "error", true);
            }
        }
        return endAsked ? finishLive() : null;
    }

    /** Sends {@code text} with {@code prompt_async}; for a live session it starts a turn. */
    private void sendPrompt(String text) throws OpenCodeHttp.CallFailed {
        if (live) {
            turn = new Turn(conversation);
        }
        http.post(sessionPath() + "/prompt_async", promptBody(text, prompt.model()));
    }

    private void interruptTurn() {
        if (turn == null || turn.interruptAsked) {
            return;
        }
        turn.interruptAsked = true;
        if (turn.started) {
            postAbort();
        }
        // Else the abort is sent once OpenCode has taken the prompt: before, it would abort nothing.
    }

    /** Marks the turn started once OpenCode stored its user message; an interrupt waiting for that is sent then. */
    private void noteTurnStarted() {
        if (turn != null && !turn.started && conversation.userMessages() > turn.userMark) {
            turn.started = true;
            if (turn.interruptAsked) {
                postAbort();
            }
        }
    }

    /** The session went idle after the turn's prompt: reports the turn, then goes on with the next. */
    private CommandExit turnOver() {
        reloadMessages();
        Turn over = turn;
        turn = null;
        // OpenCode no longer waits for what the turn asked: an abort drops its requests without a word.
        withdrawAll();
        Conversation.SessionError error = over.error != null ? over.error : conversation.errorSince(over.messageMark);
        boolean aborted = over.interruptAsked || aborting || error != null && error.aborted();
        if (error != null && !aborted) {
            write(OutputType.STDERR, "opencode: " + error.name() + ": " + error.message() + "\n");
        }
        reportTurn(over, aborted ? "aborted" : error != null ? "error" : "success", aborted || error != null);
        if (stopRequested) {
            return finishLive();
        }
        return nextTurn();
    }

    private void reportTurn(Turn over, String subtype, boolean isError) {
        Totals run = conversation.totals();
        Totals share = run.since(over.before);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - over.sentAt);
        listener.onTurn(new AgentTurn(++turns, subtype, isError, share.costOrNull(), run.costOrNull(),
                share.usageJson(), millis));
    }

    /**
     * The live session's end: its totals, what this run cost and, summed over every assistant
     * message of the session (earlier runs included), what the session cost.
     */
    private CommandExit finishLive() {
        closed = true;
        JsonNode all = reloadMessages();
        Totals run = conversation.totals();
        Double sessionCost = all == null ? null : Totals.ofMessages(all).costOrNull();
        boolean stopped = stopRequested;
        listener.onResult(new AgentResult(sessionId, stopped, stopped ? "aborted" : "success", turns,
                run.costOrNull(), run.usageJson(), sessionCost));
        return new CommandExit.Exited(stopped ? 1 : 0);
    }

    private void postAbort() {
        http.postInBackground(sessionPath() + "/abort", OpenCodeJson.MAPPER.createObjectNode()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() / 100 != 2) {
                LOG.log(Level.WARNING, "OpenCode at {0} did not take the abort of session {1}: {2}", http.base(), sessionId,
                        e != null ? OpenCodeHttp.describe(e) : "HTTP " + r.statusCode());
            }
        });
    }

    /** The session's messages, stored by OpenCode, taken into the conversation; null when they cannot be had. */
    private JsonNode reloadMessages() {
        try {
            JsonNode all = http.get(sessionPath() + "/message");
            conversation.reload(all);
            return all;
        } catch (OpenCodeHttp.CallFailed e) {
            LOG.log(Level.DEBUG, "could not reload the messages of session {0}: {1}", sessionId, e.getMessage());
            return null;
        }
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
            ask(PermissionRequest.of(type, event.path("properties")));
        } else if (type.equals(PermissionRequest.REPLIED) && sessionTree.contains(owner)) {
            listener.onAgentEvent(OpenCodeJson.compact(event));
            replied(event.path("properties"));
        }
    }

    /**
     * A request for permission of the run's session tree: passed on to be answered when the
     * session has approvals, else denied at once.
     */
    private void ask(PermissionRequest request) {
        if (request == null) {
            return;
        }
        if (!approvals) {
            deny(request);
            return;
        }
        if (awaiting.putIfAbsent(request.id(), request) != null) {
            return;
        }
        listener.onPermissionRequest(new PermissionAsk(request.id(), request.permission(),
                request.askInput(conversation.toolInput(request.callId())), request.reason(sessionId)));
    }

    /**
     * OpenCode settled a request: one the run answered is gone from {@link #awaiting} already; one
     * still there was settled elsewhere, and is withdrawn.
     */
    private void replied(JsonNode properties) {
        String id = PermissionRequest.repliedId(properties);
        if (id != null && awaiting.remove(id) != null) {
            listener.onPermissionWithdrawn(id);
        }
    }

    /** Withdraws every request still waiting for an answer. */
    private void withdrawAll() {
        for (String id : List.copyOf(awaiting.keySet())) {
            if (awaiting.remove(id) != null) {
                listener.onPermissionWithdrawn(id);
            }
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
                if (live) {
                    noteTurnStarted();
                    return !busy && turn != null && turn.started ? turnOver() : null;
                }
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
        JsonNode all = reloadMessages();
        Conversation.SessionError error = reported != null ? reported : conversation.messageError();
        if (error == null && aborting) {
            // A stopped run is never a success, whatever OpenCode reports (or leaves out) after the abort.
            error = Conversation.SessionError.ASKED_ABORT;
        }
        if (error != null && !(error.aborted() && aborting)) {
            write(OutputType.STDERR, "opencode: " + error.name() + ": " + error.message() + "\n");
        }
        listener.onResult(conversation.result(error, all == null ? null : Totals.ofMessages(all).costOrNull()));
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
        if (promptSent && sessionId != null) {
            postAbort();
        }
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

    /** The body of {@code POST /session/:id/prompt_async} for {@code prompt}. */
    static ObjectNode promptBody(AgentPrompt prompt) {
        return promptBody(prompt.prompt(), prompt.model());
    }

    /** The body of {@code POST /session/:id/prompt_async}: {@code text}, and the model if given. */
    static ObjectNode promptBody(String text, Optional<String> model) {
        ObjectNode body = OpenCodeJson.MAPPER.createObjectNode();
        body.putArray("parts").addObject().put("type", "text").put("text", text);
        model.ifPresent(name -> {
            int slash = name.indexOf('/');
            body.putObject("model").put("providerID", name.substring(0, slash)).put("modelID", name.substring(slash + 1));
        });
        return body;
    }
}
