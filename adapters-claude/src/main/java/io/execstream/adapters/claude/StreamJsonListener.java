package io.execstream.adapters.claude;

import io.execstream.domain.OutputType;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
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
 */
final class StreamJsonListener implements CommandListener {

    private static final System.Logger LOG = System.getLogger(StreamJsonListener.class.getName());

    private final AgentListener downstream;
    private final LineSplitter lines;
    private final LineSink sink = new LineSink();
    /** Orders the stdout thread's state with the thread that calls onExit. */
    private final Object lock = new Object();

    // Guarded by lock.
    private boolean resultSeen;
    /** The session last passed on, so that each change goes downstream once. */
    private String session;
    private long unparsedLines;
    /** Set once a downstream stdout call threw, or at the exit: nothing more is parsed. */
    private boolean stopped;

    StreamJsonListener(AgentListener downstream, int maxLineBytes) {
        this.downstream = downstream;
        this.lines = new LineSplitter(maxLineBytes);
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
                if (unparsedLines > 0) {
                    LOG.log(System.Logger.Level.WARNING, "claude wrote {0} stdout line(s) that were not JSON objects",
                            unparsedLines);
                }
            }
        } finally {
            downstream.onExit(exit);
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
                if (named != null && !named.equals(session)) {
                    session = named;
                    downstream.onSession(named);
                }
                if (!resultSeen && event.isResult()) {
                    resultSeen = true;
                    downstream.onResult(StreamJson.result(event.tree()));
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
