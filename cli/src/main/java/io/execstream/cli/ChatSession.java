package io.execstream.cli;

import io.execstream.client.AgentEvent;
import io.execstream.client.Decision;
import io.execstream.client.DoneEvent;
import io.execstream.client.ExecStreamClient;
import io.execstream.client.ExecStreamException;
import io.execstream.client.GapEvent;
import io.execstream.client.MessageEvent;
import io.execstream.client.MessageReceipt;
import io.execstream.client.OutputEvent;
import io.execstream.client.PermissionEvent;
import io.execstream.client.PermissionResolvedEvent;
import io.execstream.client.StreamListener;
import io.execstream.client.StreamState;
import io.execstream.client.TurnEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@code execstream chat} conversation with a started live session: prints what the stream
 * brings, sends each line read as a message, and turns Ctrl-C and end of input into an interrupt
 * or a close. {@link #exitCode()} completes once the session has ended.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>The stream's reader thread calls the {@link StreamListener} methods, in order.</li>
 *   <li>{@link #readMessages} runs on a daemon thread of its own ({@code execstream-chat-input}):
 *       each non-blank line is a {@code sendMessage}; at end of input a {@code closeStream}. While
 *       a request for permission is asked (a {@code permission} event, in a session started with
 *       approvals), the next line, blank or not, is its answer ({@code answerPermission}) instead;
 *       requests are asked one at a time, oldest first, and one settled elsewhere (its
 *       {@code permission_resolved} came first) is no longer asked.</li>
 *   <li>{@link #press()} runs where Ctrl-C is delivered: the JVM's signal thread, or a test's.
 *       During a turn the first press interrupts it; a second within {@link #DOUBLE_PRESS}, or a
 *       press while the session is idle, closes the session and the exit code is 130 once
 *       {@code done} came, or after {@link #CLOSE_WAIT} (the stream is then cancelled).</li>
 * </ul>
 * What goes to the terminal is written under one lock, so lines of different threads do not mix.
 */
final class ChatSession implements StreamListener {
    /** A second Ctrl-C within this ends the session instead of interrupting again. */
    static final Duration DOUBLE_PRESS = Duration.ofSeconds(2);
    /** How long a Ctrl-C close waits for the session's done event before it cancels the stream. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(Cli.CANCEL_WAIT_SECONDS);
    static final String PROMPT_MARKER = "> ";
    static final String ALLOW_QUESTION = "allow? [y/N/message] ";

    private final ExecStreamClient client;
    private final String project;
    private final String streamId;
    private final Transcript transcript;
    private final RequestFailures failures;
    private final PrintStream out;
    private final PrintStream err;
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    /** The highest turn a prompt was sent for, and the last that ended: a turn runs while they differ. */
    private final AtomicInteger turnAsked = new AtomicInteger(1);
    private final AtomicInteger turnEnded = new AtomicInteger();
    /** Set by a Ctrl-C that closes the session: the exit code is then 130. */
    private volatile boolean closedByCtrlC;
    /** When the last Ctrl-C came (System.nanoTime), or 0. Guarded by this. */
    private long lastPress;
    /** Guarded by out: whether the cursor is at the start of a line. */
    private boolean atLineStart = true;
    /** Guarded by out: the requests for permission not yet answered here nor settled, oldest first. */
    private final Deque<PermissionEvent> unanswered = new ArrayDeque<>();
    /** Guarded by out: the request whose question is on the terminal (the oldest), or null. */
    private PermissionEvent asked;

    ChatSession(ExecStreamClient client, String project, String streamId, Transcript transcript, RequestFailures failures,
                PrintStream out, PrintStream err) {
        this.client = client;
        this.project = project;
        this.streamId = streamId;
        this.transcript = transcript;
        this.failures = failures;
        this.out = out;
        this.err = err;
    }

    /** Completes with the process's exit code once the session has ended, or could not be followed. */
    CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    /** Starts reading messages from {@code lines} on a daemon thread; see the class comment. */
    void readMessages(BufferedReader lines) {
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (exitCode.isDone()) {
                        return;
                    }
                    PermissionEvent question = takeQuestion();
                    if (question != null) {
                        answer(question, line);
                    } else if (!line.isBlank() && !send(line)) {
                        return;
                    }
                }
            } catch (IOException e) {
                note("reading stdin failed (" + e.getMessage() + "): closing the session");
            }
            if (!exitCode.isDone() && !closedByCtrlC) {
                close();
            }
        }, "execstream-chat-input");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends one message; false when the session takes no more. */
    private boolean send(String prompt) {
        try {
            MessageReceipt receipt = client.sendMessage(project, streamId, prompt);
            turnAsked.accumulateAndGet(receipt.turn(), Math::max);
            if (receipt.queued()) {
                note("queued: it runs as turn " + receipt.turn() + " once the current turn ends");
            }
            return true;
        } catch (ExecStreamException e) {
            if (e.error().equals(ExecStreamException.STREAM_FINISHED)) {
                note("the session is ending; it takes no more messages");
                return false;
            }
            note("the message was not sent: " + failures.describe(e));
            return true;
        }
    }

    /** The request whose question is on the terminal, no longer asked: the line just read answers it. Null if none. */
    private PermissionEvent takeQuestion() {
        synchronized (out) {
            PermissionEvent question = asked;
            if (question != null) {
                unanswered.remove(question);
                asked = null;
            }
            return question;
        }
    }

    /** Answers {@code question} with what was typed, then asks the next request, if one waits. */
    private void answer(PermissionEvent question, String line) {
        String typed = line.strip();
        String word = typed.toLowerCase(Locale.ROOT);
        Decision decision = word.equals("y") || word.equals("yes") ? Decision.allow()
                : word.isEmpty() || word.equals("n") || word.equals("no") ? Decision.deny(null) : Decision.deny(typed);
        try {
            client.answerPermission(project, streamId, question.requestId(), decision);
        } catch (IllegalArgumentException e) {
            note("the answer was not sent: " + e.getMessage());
            askAgain(question);
            return;
        } catch (ExecStreamException e) {
            if (e.error().equals(ExecStreamException.PERMISSION_RESOLVED)) {
                note("request " + question.requestId() + " was already settled; your answer changed nothing");
            } else if (!e.error().equals(ExecStreamException.STREAM_FINISHED)) {
                note("the answer was not sent: " + failures.describe(e));
                askAgain(question);
                return;
            }
        }
        synchronized (out) {
            askNext();
        }
    }

    /** Puts back a request whose answer did not reach the server, to be asked again first. */
    private void askAgain(PermissionEvent question) {
        synchronized (out) {
            if (asked != null) {
                // a newer one was asked meanwhile: this older one comes first again
                asked = null;
            }
            unanswered.addFirst(question);
            askNext();
        }
    }

    /** Under out: prints the question of the oldest request not answered, unless one is on the terminal. */
    private void askNext() {
        if (asked != null || unanswered.isEmpty()) {
            return;
        }
        asked = unanswered.peekFirst();
        StringBuilder text = new StringBuilder("[permission ").append(asked.requestId()).append("] ")
                .append(asked.toolName()).append(' ').append(asked.inputJson()).append('\n');
        if (asked.reason() != null) {
            text.append("  (").append(asked.reason()).append(")\n");
        }
        printOwnLine(text.append(ALLOW_QUESTION).toString());
    }

    /** One Ctrl-C: interrupts the turn that runs, or closes the session; see the class comment. */
    void press() {
        if (exitCode.isDone()) {
            return;
        }
        boolean again;
        synchronized (this) {
            long now = System.nanoTime();
            again = lastPress != 0 && now - lastPress < DOUBLE_PRESS.toNanos();
            lastPress = now;
        }
        if (!again && !closedByCtrlC && turnRuns()) {
            note("interrupting the turn (Ctrl-C again within " + DOUBLE_PRESS.toSeconds() + " s ends the session)");
            try {
                client.interrupt(project, streamId);
            } catch (ExecStreamException e) {
                note("could not interrupt: " + failures.describe(e));
            }
            return;
        }
        closedByCtrlC = true;
        close();
        CompletableFuture.delayedExecutor(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!exitCode.isDone()) {
                note("the session did not end within " + CLOSE_WAIT.toSeconds() + " s of the close: cancelling it");
                try {
                    client.cancel(project, streamId);
                } catch (ExecStreamException e) {
                    // leaving anyway; the server's own timeouts end it
                }
                exitCode.complete(ExitCodes.CANCELLED);
            }
        });
    }

    /** What this side has seen: a prompt was sent for a turn that has not ended. */
    private boolean working() {
        return turnAsked.get() > turnEnded.get();
    }

    /**
     * Whether a turn runs now, as the server sees it: a message this side sent a moment ago may
     * not have come back as an event yet. What this side has seen when the server cannot say.
     */
    private boolean turnRuns() {
        try {
            StreamState state = client.status(project, streamId);
            return state.activity() != null ? !state.isIdle() : state.isRunning() && working();
        } catch (ExecStreamException e) {
            return working();
        }
    }

    private void close() {
        note("closing the session" + (working() ? " after the current turn" : ""));
        try {
            client.closeStream(project, streamId);
        } catch (ExecStreamException e) {
            if (!e.error().equals(ExecStreamException.STREAM_FINISHED)) {
                note("could not close the session: " + failures.describe(e));
            }
        }
    }

    @Override
    public void onOutput(OutputEvent event) {
        if (event.isStderr()) {
            synchronized (out) {
                out.flush();
                err.print(event.content());
                err.flush();
            }
        } else if (transcript.printsStdout()) {
            print(event.content());
        }
    }

    @Override
    public void onAgent(AgentEvent event) {
        String text = transcript.render(event);
        if (text != null) {
            print(text);
        }
    }

    @Override
    public void onMessage(MessageEvent event) {
        turnAsked.accumulateAndGet(event.turn(), Math::max);
    }

    @Override
    public void onTurn(TurnEvent event) {
        turnEnded.accumulateAndGet(event.turn(), Math::max);
        StringBuilder line = new StringBuilder("[turn ").append(event.turn()).append(" ended: ")
                .append(event.subtype() == null ? (event.isError() ? "error" : "done") : event.subtype());
        if (event.costUsd() != null) {
            line.append(", ").append(dollars(event.costUsd()));
        }
        if (event.runCostUsd() != null) {
            line.append(", ").append(dollars(event.runCostUsd())).append(" so far");
        }
        line.append("]\n");
        synchronized (out) {
            printOwnLine(line.toString());
            if (!working() && !closedByCtrlC) {
                print(PROMPT_MARKER);
            }
        }
    }

    @Override
    public void onPermission(PermissionEvent event) {
        synchronized (out) {
            unanswered.addLast(event);
            askNext();
        }
    }

    /** A request settled elsewhere (one answered here is no longer in the queue): its question is withdrawn. */
    @Override
    public void onPermissionResolved(PermissionResolvedEvent event) {
        synchronized (out) {
            PermissionEvent settled = unanswered.stream().filter(p -> p.requestId().equals(event.requestId()))
                    .findFirst().orElse(null);
            if (settled == null) {
                return;
            }
            unanswered.remove(settled);
            boolean wasAsked = settled == asked;
            if (wasAsked) {
                asked = null;
            }
            note("request " + event.requestId() + " " + settledHow(event) + (!wasAsked ? ""
                    : unanswered.isEmpty() ? "; no answer needed: the next line you type is a message again"
                    : "; no answer needed"));
            askNext();
        }
    }

    /** How a request was settled, for a person. */
    private static String settledHow(PermissionResolvedEvent event) {
        String how = switch (event.outcome()) {
            case "allowed", "denied" -> "was " + event.outcome() + (event.decidedBy() == null ? "" : " by " + event.decidedBy());
            case "timed_out" -> "timed out and was denied";
            case "withdrawn" -> "was withdrawn: the agent no longer waits for it";
            case "ended" -> "ended with the run";
            default -> "was settled (" + event.outcome() + ")";
        };
        return how + (event.message() == null || event.outcome().equals("timed_out") ? "" : " (" + event.message() + ")");
    }

    @Override
    public void onGap(GapEvent gap) {
        note(gap.missed() + " event(s) were lost: the server's history had moved past them");
    }

    @Override
    public void onDone(DoneEvent done) {
        StringBuilder line = new StringBuilder("[session ended");
        if (!done.status().equals("exited")) {
            line.append(" (").append(done.status().replace('_', ' ')).append(')');
        }
        if (done.numTurns() != null) {
            line.append(": ").append(done.numTurns()).append(done.numTurns() == 1 ? " turn" : " turns");
        }
        if (done.totalCostUsd() != null) {
            line.append(", ").append(dollars(done.totalCostUsd()));
        }
        if (done.sessionCostUsd() != null) {
            line.append(" (session ").append(dollars(done.sessionCostUsd())).append(')');
        }
        if (done.sessionId() != null) {
            line.append("; session id ").append(done.sessionId());
        }
        printOwnLine(line.append("]\n").toString());
        if (done.message() != null) {
            note(done.message());
        }
        exitCode.complete(closedByCtrlC ? ExitCodes.CANCELLED : exitCodeOf(done));
    }

    @Override
    public void onFailure(ExecStreamException error) {
        note(failures.describe(error));
        exitCode.complete(ExitCodes.NOT_RUN);
    }

    /** A session that ended by itself exits 0, or with the agent's code, or 1 when it reported an error. */
    static int exitCodeOf(DoneEvent done) {
        if (!done.status().equals("exited")) {
            return ExitCodes.of(done);
        }
        if (done.exitCode() != null && done.exitCode() != 0) {
            return done.exitCode() & 0xff;
        }
        return Boolean.TRUE.equals(done.isError()) ? 1 : 0;
    }

    private static String dollars(double usd) {
        return String.format(Locale.ROOT, "$%.4f", usd);
    }

    /** Text of the conversation on stdout, as it comes. */
    private void print(String text) {
        if (text.isEmpty()) {
            return;
        }
        synchronized (out) {
            out.print(text);
            out.flush();
            atLineStart = text.endsWith("\n");
        }
    }

    /** A line of the chat's own on stdout (a turn's end), after the agent's text even when that ended mid-line. */
    private void printOwnLine(String line) {
        synchronized (out) {
            if (!atLineStart) {
                out.println();
            }
            print(line);
        }
    }

    /** A line of the CLI's own on stderr, on a line of its own. */
    void note(String message) {
        synchronized (out) {
            if (!atLineStart) {
                out.println();
                atLineStart = true;
            }
            out.flush();
            err.println("execstream: " + message);
            err.flush();
        }
    }
}
