package io.execstream.bench.peers.shared;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One command's stream on a peer: its id, project and stream-URL token, its run, and the number
 * and size of the events it keeps. How it keeps them and sends them (the part each peer writes the
 * textbook way of its stack) is the subclass's.
 */
public abstract class PeerStream implements CommandRun.Listener {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id = HexFormat.of().formatHex(random(12));
    private final String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random(24));
    private final String project;
    private volatile CommandRun run;
    private volatile StreamTable<?> table;
    private int events; // guarded by this
    private long kept; // output characters kept, guarded by this
    private EventData.Done done; // guarded by this

    protected PeerStream(String project) {
        this.project = project;
    }

    public String id() {
        return id;
    }

    public String project() {
        return project;
    }

    public String token() {
        return token;
    }

    // Before the run starts: a command that cannot start ends at once.
    void keptIn(StreamTable<?> table) {
        this.table = table;
    }

    void started(CommandRun run) {
        this.run = run;
    }

    @Override
    public final void output(EventData.Output output) {
        synchronized (this) {
            kept += output.content().length();
            append(++events, "output", output);
        }
        table.counted(output.content().length());
    }

    @Override
    public final void done(EventData.Done done) {
        synchronized (this) {
            if (this.done != null) {
                return;
            }
            this.done = done;
            append(++events, "done", done);
            ended();
        }
        table.finished(this);
    }

    /**
     * Keeps event {@code id} (1, 2, ... in order) and sends it to the live subscribers. Called with
     * this stream's monitor held, one event at a time.
     */
    protected abstract void append(int id, String name, Object data);

    /** After the done event: the live subscribers' responses end. Called with this stream's monitor held. */
    protected abstract void ended();

    /** How many events it has had. */
    public synchronized int size() {
        return events;
    }

    /** Output characters it keeps: what counts in the history budget. */
    public synchronized long kept() {
        return kept;
    }

    public synchronized boolean isDone() {
        return done != null;
    }

    /** {@code running}, or how it ended. */
    public synchronized String status() {
        return done == null ? "running" : done.status();
    }

    /** SIGTERM to the command and every process it started. */
    public void cancel() {
        CommandRun r = run;
        if (r != null) {
            r.cancel();
        }
    }

    private static byte[] random(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
