package io.execstream.adapters.claude;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.OutputType;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.PermissionAsk;
import java.math.BigDecimal;
import java.nio.ByteBuffer;

/**
 * Sits between a {@link io.execstream.ports.CommandRunner} running the Claude Code CLI and an
 * {@link AgentListener}: passes every call through and turns the stdout lines into agent events,
 * the session they name and the agent's result.
 *
 * <p>Order: for a stdout chunk, {@code onOutput} goes downstream first, then the events of the
 * lines that chunk completes, on the same (stdout) thread. At the exit, the last line, if it had no
 * newline, is parsed and reported first, then {@code onExit} is passed on (exactly once, as the
 * runner calls it). If a downstream call on the stdout path throws, the exception goes back to the
 * runner (which stops delivering stdout and terminates the command) and nothing more is parsed.
 *
 * <h2>Results and costs</h2>
 * A one-prompt run reports its first {@code result} line as {@code onResult}. A live session
 * reports each {@code result} line as the end of a turn ({@code onTurn}: its subtype and verdict,
 * what the turn cost, what the run has cost so far, the turn's usage and duration), and at its
 * end, just before {@code onExit}, the run's totals as {@code onResult}: the last turn's verdict,
 * the number of turns, the summed usage. In both, {@code totalCostUsd} is what this run cost and
 * {@code sessionCostUsd} the CLI's cumulative {@code total_cost_usd}; see {@link RunCosts}.
 *
 * <h2>Requests for permission</h2>
 * A live session run with approvals gets {@code control_request} lines of subtype
 * {@code can_use_tool} and {@code control_cancel_request} lines ({@link ControlLine}). Each stays
 * an agent event like any line; after it, the session's {@link SessionHooks#control} is told, and
 * when it says so the request goes downstream as {@link AgentListener#onPermissionRequest} (the
 * tool's input in compact form, the request's {@code decision_reason} as the reason) or its
 * withdrawal as {@link AgentListener#onPermissionWithdrawn}, on the same thread.
 */
final class StreamJsonListener implements CommandListener {

    private static final System.Logger LOG = System.getLogger(StreamJsonListener.class.getName());

    /**
     * What a live session's listener tells the session. On the stdout thread, except
     * {@link #exited}, which comes on the thread that calls {@code onExit}; never two at a time.
     */
    interface SessionHooks {
        /** A {@code result} line ended a turn; called after its {@code onTurn} went downstream. */
        void turnEnded();

        /** The process has ended; called before {@code onExit} goes downstream. */
        void exited();

        /**
         * The CLI asked for permission or withdrew a request (after the line's agent event went
         * downstream). Returns whether to tell the listener downstream; it is told after this returns.
         */
        boolean control(ControlLine line);
    }

    /** The hooks of a session that asks for no permission: it ignores control lines. */
    private record TurnHooks(Runnable onTurnEnd, Runnable onEnd) implements SessionHooks {
        @Override
        public void turnEnded() {
            onTurnEnd.run();
        }

        @Override
        public void exited() {
            onEnd.run();
        }

        @Override
        public boolean control(ControlLine line) {
            return false;
        }
    }

    private static final SessionHooks NO_HOOKS = new TurnHooks(() -> { }, () -> { });

    private final AgentListener downstream;
    private final boolean session;
    /** A live session's; a one-prompt run's do nothing. */
    private final SessionHooks hooks;
    private final LineSplitter lines;
    private final LineSink sink = new LineSink();
    /** Orders the stdout thread's state with the thread that calls onExit. */
    private final Object lock = new Object();

    // Guarded by lock.
    private boolean resultSeen;
    private final RunCosts costs;
    /** A live session's turns so far, and what they add up to. */
    private int turns;
    private StreamJson.Result lastTurn;
    private ObjectNode usage;
    /** The session last passed on, so that each change goes downstream once. */
    private String sessionId;
    private long unparsedLines;
    /** Set once a downstream stdout call threw, or at the exit: nothing more is parsed. */
    private boolean stopped;

    private StreamJsonListener(AgentListener downstream, int maxLineBytes, boolean resumed, boolean session,
                               SessionHooks hooks) {
        this.downstream = downstream;
        this.lines = new LineSplitter(maxLineBytes);
        this.costs = new RunCosts(resumed);
        this.session = session;
        this.hooks = hooks;
    }

    /** A one-prompt run of a new session. */
    StreamJsonListener(AgentListener downstream, int maxLineBytes) {
        this(downstream, maxLineBytes, false, false, NO_HOOKS);
    }

    /** A one-prompt run; {@code resumed} when it continues an earlier session. */
    static StreamJsonListener oneShot(AgentListener downstream, int maxLineBytes, boolean resumed) {
        return new StreamJsonListener(downstream, maxLineBytes, resumed, false, NO_HOOKS);
    }

    /**
     * A live session that asks for no permission; {@code onTurnEnd} is told after each turn's
     * {@code onTurn}, and {@code onEnd} when its process has ended, before {@code onExit}.
     */
    static StreamJsonListener session(AgentListener downstream, int maxLineBytes, boolean resumed, Runnable onTurnEnd,
                                      Runnable onEnd) {
        return session(downstream, maxLineBytes, resumed, new TurnHooks(onTurnEnd, onEnd));
    }

    /** A live session, which {@code hooks} hear of. */
    static StreamJsonListener session(AgentListener downstream, int maxLineBytes, boolean resumed, SessionHooks hooks) {
        return new StreamJsonListener(downstream, maxLineBytes, resumed, true, hooks);
    }

    @Override
    public void onOutput(OutputType type, ByteBuffer bytes) {
        if (type != OutputType.STDOUT) {
            downstream.onOutput(type, bytes);
            return;
        }
        synchronized (lock) {
            if (stopped) {
                // The runner stops calling after a throw; should one still come, pass it on unparsed.
                downstream.onOutput(type, bytes);
                return;
            }
            try {
                // The duplicate shares the bytes but not the position: downstream may consume it.
                downstream.onOutput(type, bytes.duplicate());
                lines.feed(bytes, sink);
            } catch (RuntimeException | Error e) {
                stopped = true;
                throw e;
            }
        }
    }

    @Override
    public void onExit(CommandExit exit) {
        try {
            synchronized (lock) {
                if (!stopped) {
                    stopped = true;
                    lines.finish(sink);
                }
                hooks.exited();
                if (session && lastTurn != null) {
                    downstream.onResult(totals());
                }
                if (unparsedLines > 0) {
                    LOG.log(System.Logger.Level.WARNING, "claude wrote {0} stdout line(s) that were not JSON objects",
                            unparsedLines);
                }
            }
        } finally {
            downstream.onExit(exit);
        }
    }

    /** Called under lock. */
    private void result(StreamJson.Result result) {
        if (session) {
            BigDecimal turnCost = costs.turn(result.totalCostUsd(), result.sinceLastCostUsd());
            turns++;
            lastTurn = result;
            usage = StreamJson.addUsage(usage, result.usage());
            downstream.onTurn(new AgentTurn(turns, result.subtype(), result.isError(), RunCosts.dollars(turnCost),
                    RunCosts.dollars(costs.run()), result.usageJson(), result.durationMs()));
            hooks.turnEnded();
        } else if (!resultSeen) {
            resultSeen = true;
            costs.turn(result.totalCostUsd(), result.sinceLastCostUsd());
            downstream.onResult(new AgentResult(result.sessionId(), result.isError(), result.subtype(), result.numTurns(),
                    RunCosts.dollars(costs.run()), result.usageJson(), RunCosts.dollars(costs.session())));
        }
    }

    /** A live session's totals: called under lock, at its end, when a turn ended. */
    private AgentResult totals() {
        String id = lastTurn.sessionId() != null ? lastTurn.sessionId() : sessionId;
        return new AgentResult(id, lastTurn.isError(), lastTurn.subtype(), turns, RunCosts.dollars(costs.run()),
                usage == null ? null : StreamJson.compact(usage), RunCosts.dollars(costs.session()));
    }

    /** Called under lock, after the line's agent event: a request for permission, or its withdrawal. */
    private void control(ControlLine line) {
        if (line == null || !hooks.control(line)) {
            return;
        }
        if (line instanceof ControlLine.CanUseTool ask) {
            downstream.onPermissionRequest(new PermissionAsk(ask.requestId(), ask.toolName(),
                    StreamJson.compact(ask.input()), ask.reason()));
        } else if (line instanceof ControlLine.Cancel cancel) {
            downstream.onPermissionWithdrawn(cancel.requestId());
        }
    }

    /** Lines that were not JSON objects (or too long) so far. */
    long unparsedLines() {
        synchronized (lock) {
            return unparsedLines;
        }
    }

    /** Called under lock, on the stdout thread (or at the exit for the last line). */
    private final class LineSink implements LineSplitter.Sink {
        @Override
        public void line(byte[] buffer, int offset, int length) {
            StreamJson.Line line = StreamJson.parse(buffer, offset, length);
            if (line instanceof StreamJson.Event event) {
                downstream.onAgentEvent(event.json());
                String named = event.sessionId();
                if (named != null && !named.equals(sessionId)) {
                    sessionId = named;
                    downstream.onSession(named);
                }
                if (event.isResult()) {
                    result(StreamJson.result(event.tree()));
                } else if (session) {
                    control(ControlLine.of(event.tree()));
                }
            } else if (line instanceof StreamJson.Unparsed unparsed) {
                unparsed(length, unparsed.reason());
            }
        }

        @Override
        public void tooLong(long length) {
            unparsed(length, StreamJson.TOO_LONG);
        }

        private void unparsed(long length, String reason) {
            unparsedLines++;
            downstream.onAgentEvent(StreamJson.unparsedEvent(length, reason));
        }
    }
}
