package io.execstream.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.core.StreamQueries;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.StreamChange;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /projects/{project}/events}, for any transport: the lifecycle of a project's streams
 * as one event stream, what a project's console follows.
 *
 * <h2>What a client gets</h2>
 * First {@code event: snapshot}, data {@code {"streams": [status, ...]}}: the project's most
 * recent streams (up to {@value #SNAPSHOT_LIMIT}, newest first), each as its status shows it.
 * Then {@code event: stream}, data the stream's status, each time one starts, its live session
 * changes (activity, turns, cost, pending requests for permission) or it finishes: a finished
 * stream's last event has its final {@code status}. Each status may hold {@code title}, the command
 * line or the agent's first prompt (at most 200 characters), when this node has seen the stream
 * start.
 *
 * <h2>Ids and resuming</h2>
 * Every event has an id, {@code NODE.N}: NODE names this server's run, N counts its changes. This
 * node holds the last {@value #HELD_PER_PROJECT} changes of each project; a client that comes back
 * with {@code Last-Event-ID} (or {@code ?last_event_id=}) gets exactly the changes after it, if
 * this node still holds them all. Otherwise (too old, another node's or an earlier run's id) it
 * gets a fresh snapshot whose data says why in {@code "reason"}.
 *
 * <h2>Lifecycle</h2>
 * The API registers {@link #onChange} with the core once (changes of every node, when the feed
 * reaches them); a transport calls {@link #check}, commits the response with
 * {@link EventStreams#HEADERS}, and hands it to {@link #open}. {@link #close} ends every
 * connection. A slow console is dropped as a slow stream subscriber is, and reconnects.
 */
public final class ProjectEvents implements AutoCloseable {
    /** Changes of one project this node holds for resuming. */
    static final int HELD_PER_PROJECT = 256;
    /** Projects whose changes are held; past it, those no console follows are forgotten first. */
    static final int MAX_PROJECTS = 1024;
    /** Streams in a snapshot. */
    public static final int SNAPSHOT_LIMIT = 200;
    /** Titles of streams held per project, for the snapshot. */
    private static final int MAX_TITLES = 1024;
    private static final Pattern ID = Pattern.compile("([0-9a-z]{1,16})\\.([0-9]{1,18})");

    private final StreamQueries queries;
    private final Access access;
    private final ConsoleTokens consoles;
    private final EventStreamListener metrics;
    private final long keepaliveNanos;
    private final long writeTimeoutNanos;
    /** Names this run: an id from before a restart, or another node's, is told apart by it. */
    private final String node;
    /** The open connections, each with the set of its project's log it is in. */
    private final Map<ProjectConnection, Set<ProjectConnection>> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;

    // Guarded by this.
    private long count;
    /** The projects' held changes, least recently used first. */
    private final LinkedHashMap<ProjectId, ProjectLog> logs = new LinkedHashMap<>(16, 0.75f, true);

    public ProjectEvents(StreamQueries queries, Access access, ConsoleTokens consoles, Duration keepalive,
                         Duration writeTimeout, EventStreamListener metrics) {
        this.queries = queries;
        this.access = access;
        this.consoles = consoles;
        this.metrics = metrics;
        this.keepaliveNanos = keepalive.toNanos();
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.node = Long.toString(new SecureRandom().nextLong() >>> 16, 36);
        this.ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "execstream-project-events-1");
            thread.setDaemon(true); // a library's threads never keep its host's JVM alive
            return thread;
        });
        long period = Math.max(10, Math.min(keepalive.toMillis(), writeTimeout.toMillis()) / 2);
        ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** What an allowed request gets: the project's events after {@code lastEventId} (null: a snapshot). */
    public record Open(ProjectId project, String lastEventId, boolean headOnly) {
    }

    /**
     * Checks, before the response starts: the method, then the project's API key or its console
     * token ({@code ?token=}), then the media type. {@code request.stream()} is not read.
     *
     * @throws io.execstream.domain.ExecStreamException when refused ({@link ApiErrors#of} maps it)
     */
    public Open check(EventStreamRequest request) {
        String method = request.method().toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new RequestRefusedException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed here: the project's events are read with GET");
        }
        ProjectId project = authorize(request.project(), request.apiKey(), request.token());
        if (!EventStreams.acceptsEventStream(request.accept())) {
            throw new RequestRefusedException(ErrorCode.NOT_ACCEPTABLE, "this is a text/event-stream; the request's Accept header excludes it");
        }
        return new Open(project, request.lastEventId(), method.equals("HEAD"));
    }

    /**
     * A request about a project's console: with a console token of the project when one is
     * given, else with a key that opens the project.
     *
     * @throws RequestRefusedException {@code 401}, or {@code 403} for a key of other projects
     */
    public ProjectId authorize(String project, String apiKey, String token) {
        if (token != null) {
            ProjectId id = ProjectId.of(project);
            consoles.require(id, token);
            return id;
        }
        access.authorize(project, apiKey);
        return ProjectId.of(project);
    }

    /**
     * Streams the project's events to {@code output}, a response already committed with
     * {@link EventStreams#HEADERS}, with {@code links} (the API's, where the request came in).
     * Writes the opening comment at once; a snapshot costs one list of the project's streams.
     *
     * @throws RuntimeException with nothing written when the streams cannot be listed
     */
    public void open(Open request, SseOutput output, Links links) {
        ProjectConnection connection = new ProjectConnection(output, links, this);
        List<ProjectLog.Entry> replay;
        Map<StreamId, String> titles;
        String at;
        synchronized (this) {
            ProjectLog log = log(request.project());
            at = id(count);
            replay = log.after(request.lastEventId(), node, count);
            titles = Map.copyOf(log.titles);
            log.connections.add(connection);
            open.put(connection, log.connections);
        }
        metrics.opened();
        List<byte[]> first = new ArrayList<>();
        if (replay != null) {
            replay.forEach(entry -> first.add(SseEvents.named(id(entry.count()), "stream", connection.view(entry.change()))));
        } else {
            try {
                first.add(snapshot(request, connection, titles, at));
            } catch (RuntimeException e) {
                forget(connection);
                throw e;
            }
        }
        output.onClose(connection::abort);
        connection.open();
        connection.begin(first);
    }

    private byte[] snapshot(Open request, ProjectConnection connection, Map<StreamId, String> titles, String at) {
        ArrayNode streams = ApiJson.MAPPER.createArrayNode();
        for (StreamInfo info : queries.list(request.project(), SNAPSHOT_LIMIT)) {
            streams.add(connection.view(new StreamChange(info, titles.get(info.id()))));
        }
        ObjectNode data = ApiJson.MAPPER.createObjectNode();
        data.set("streams", streams);
        if (request.lastEventId() != null) {
            data.put("reason", "this server no longer holds the events after " + cut(request.lastEventId())
                    + " (too old, or given by another server or before a restart): this snapshot replaces them");
        }
        return SseEvents.named(at, "snapshot", data);
    }

    /**
     * A change of a stream, of this node or another: held for resuming and sent to the
     * project's consoles, in the order of the calls. Never blocks.
     */
    public synchronized void onChange(StreamChange change) {
        ProjectLog log = log(change.stream().project());
        String id = id(++count);
        log.add(new ProjectLog.Entry(count, change));
        for (ProjectConnection connection : log.connections) {
            connection.deliver(id, change);
        }
    }

    /** How many project event streams are open. */
    public int size() {
        return open.size();
    }

    /** Call holding this. */
    private ProjectLog log(ProjectId project) {
        ProjectLog log = logs.get(project);
        if (log == null) {
            log = new ProjectLog(count);
            logs.put(project, log);
            if (logs.size() > MAX_PROJECTS) {
                Iterator<ProjectLog> eldest = logs.values().iterator();
                while (eldest.hasNext()) {
                    if (eldest.next().connections.isEmpty()) {
                        eldest.remove();
                        break;
                    }
                }
            }
        }
        return log;
    }

    private String id(long n) {
        return node + "." + n;
    }

    private static String cut(String id) {
        return id.length() > 64 ? id.substring(0, 64) + "..." : id;
    }

    void forget(ProjectConnection connection) {
        // Without this hub's lock: a connection closes from under its own, which a change holds
        // while it holds this hub's.
        Set<ProjectConnection> in = open.remove(connection);
        if (in != null) {
            in.remove(connection);
            metrics.closed();
        }
    }

    void dropped() {
        metrics.dropped();
    }

    private void tick() {
        long now = System.nanoTime();
        for (ProjectConnection connection : open.keySet()) {
            if (connection.blockedNanos(now) > writeTimeoutNanos) {
                dropped();
                connection.abort();
            } else if (connection.idleNanos(now) >= keepaliveNanos) {
                connection.keepalive();
            }
        }
    }

    /** Ends every project event stream; consoles reconnect elsewhere or later with Last-Event-ID. */
    @Override
    public void close() {
        ticker.shutdownNow();
        open.keySet().forEach(ProjectConnection::finish);
    }

    /** The changes of one project this node holds, and the connections that follow it. */
    private static final class ProjectLog {
        record Entry(long count, StreamChange change) {
        }

        private final ArrayDeque<Entry> held = new ArrayDeque<>();
        /** The count of the last change this log cannot give: those after it are all held. */
        private long floor;
        final Set<ProjectConnection> connections = ConcurrentHashMap.newKeySet();
        final Map<StreamId, String> titles = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<StreamId, String> eldest) {
                return size() > MAX_TITLES;
            }
        };

        ProjectLog(long floor) {
            this.floor = floor;
        }

        void add(Entry entry) {
            held.addLast(entry);
            if (held.size() > HELD_PER_PROJECT) {
                floor = held.removeFirst().count();
            }
            if (entry.change().title() != null) {
                titles.put(entry.change().stream().id(), entry.change().title());
            }
        }

        /** The changes after {@code lastEventId}, or null when they cannot all be given (or none was asked for). */
        List<Entry> after(String lastEventId, String node, long count) {
            Matcher id = lastEventId == null ? null : ID.matcher(lastEventId);
            if (id == null || !id.matches() || !id.group(1).equals(node)) {
                return null;
            }
            long n;
            try {
                n = Long.parseLong(id.group(2));
            } catch (NumberFormatException e) {
                return null;
            }
            if (n < floor || n > count) {
                return null;
            }
            return held.stream().filter(entry -> entry.count() > n).toList();
        }
    }
}
