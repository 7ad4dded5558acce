package io.execstream.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.StreamEvent;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The wire form of stream events: each event's whole frame ({@code event:}, {@code data:},
 * {@code id:} and the blank line) as bytes. Data is JSON on one line (control characters are
 * escaped inside strings), so every event is exactly one {@code data:} field whatever the output
 * held, and ids come from the publisher, never from a request, so they hold no line break.
 *
 * <p>The id is the last field: a client should take an event's id only when the blank line
 * dispatches the event, but some (the npm {@code eventsource} package up to v2) take it as soon
 * as they read the field. Written first, a connection cut inside the event would have such a
 * client resume after an event it never received; written last, only a cut between the id line
 * and the blank line can do that.
 */
public final class SseEvents {
    /** Milliseconds an EventSource waits before it reconnects. */
    static final long RETRY_MS = 2000;

    /**
     * The first thing on every stream, sent at once so that the headers go out and the client's
     * EventSource opens before the command writes anything.
     */
    static final byte[] OPENING = ascii(": connected\n\n");
    static final byte[] KEEPALIVE = ascii(": keepalive\n\n");
    /** Written just before the first event with data, in the same block. */
    static final byte[] RETRY = ascii("retry: " + RETRY_MS + "\n");

    /** The start of every output event's frame, before its data. */
    private static final byte[] OUTPUT_HEAD = head("output");

    /** Frames of recent events, by event: see {@link #of}. */
    private static final Map<Same, byte[]> FRAMES = new ConcurrentHashMap<>();
    private static final AtomicLong FRAME_BYTES = new AtomicLong();
    /**
     * Subscribers of a stream read about the same events at about the same time, so a few recent
     * frames serve them all; the bound is in bytes, since a frame holds up to 64 KiB of output.
     */
    private static final int MAX_FRAMES = 4096;
    private static final long MAX_FRAME_BYTES = 16L << 20;
    /**
     * The events framed last, and their frames, newest at {@code recentNext - 1}. A fan-out hands
     * one event to every subscriber in a row, and subscribers that fall behind are a few events
     * apart, so a short scan of these answers nearly every call; the map would take a lookup, a
     * key object and an identity hash per subscriber (2 % of the server's CPU with 5,000 of them
     * behind). Written and read without a lock: a {@link Framed} is immutable (final fields), so
     * a reader sees one whole or an older one, and a miss only costs the map.
     */
    private static final Framed[] RECENT = new Framed[16];
    private static int recentNext;

    private SseEvents() {
    }

    /**
     * Events the client asked for are gone. The gap's id is that of the last missed event, so a
     * client that reconnects after it is not told of the same gap again.
     */
    public static byte[] gap(Gap gap) {
        ObjectNode data = ApiJson.MAPPER.createObjectNode().put("missed", gap.missed());
        return frame(gap.lastMissedId(), "gap", json(data).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An event of the stream. Every subscriber of a stream is handed the same event, so its frame
     * is encoded once and the bytes shared; the cache forgets everything past its bound, which
     * costs only encodings made again.
     */
    public static byte[] of(PublishedEvent published) {
        Framed[] recent = RECENT;
        // Newest first: a subscriber that keeps up wants the event framed last.
        for (int k = 1, at = recentNext; k <= recent.length; k++) {
            Framed framed = recent[(at - k) & (recent.length - 1)];
            if (framed != null && framed.event() == published) {
                return framed.frame();
            }
        }
        Same key = new Same(published);
        byte[] frame = FRAMES.get(key);
        if (frame == null) {
            frame = encode(published);
            if (FRAMES.size() >= MAX_FRAMES || FRAME_BYTES.addAndGet(frame.length) > MAX_FRAME_BYTES) {
                FRAMES.clear();
                FRAME_BYTES.set(frame.length);
            }
            FRAMES.put(key, frame);
        }
        int at = recentNext;
        recent[at & (recent.length - 1)] = new Framed(published, frame);
        recentNext = at + 1;
        return frame;
    }

    private record Framed(PublishedEvent event, byte[] frame) {
    }

    /**
     * An event by identity: a publisher hands every subscriber the same instance, and hashing
     * 64 KiB of output to find its frame would cost about as much as encoding it again.
     */
    private record Same(PublishedEvent event) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Same same && same.event == event;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(event);
        }
    }

    private static byte[] encode(PublishedEvent published) {
        StreamEvent event = published.event();
        return data(event, event instanceof StreamEvent.Output ? OUTPUT_HEAD : head(name(event)), tail(published.id()));
    }

    /** The event's name on the wire: {@code output}, {@code agent}, ..., {@code done}. */
    static String name(StreamEvent event) {
        if (event instanceof StreamEvent.Output) {
            return "output";
        } else if (event instanceof StreamEvent.Agent) {
            return "agent";
        } else if (event instanceof StreamEvent.Input) {
            return "input";
        } else if (event instanceof StreamEvent.Message) {
            return "message";
        } else if (event instanceof StreamEvent.Turn) {
            return "turn";
        } else if (event instanceof StreamEvent.Permission) {
            return "permission";
        } else if (event instanceof StreamEvent.PermissionResolved) {
            return "permission_resolved";
        }
        return "done";
    }

    /**
     * The event's data, one JSON object on one line, between {@code before} and {@code after} in
     * one array: the data of its SSE frame, and of its line in a log as NDJSON.
     */
    static byte[] data(StreamEvent event, byte[] before, byte[] after) {
        if (event instanceof StreamEvent.Output output) {
            return OutputJson.encode(output, before, after);
        }
        if (event instanceof StreamEvent.Agent agent) {
            return concat(before, agentData(agent).getBytes(StandardCharsets.UTF_8), after);
        }
        ObjectNode data;
        if (event instanceof StreamEvent.Input input) {
            data = ApiJson.MAPPER.createObjectNode().put("data", input.data()).put("eof", input.eof());
        } else if (event instanceof StreamEvent.Message message) {
            data = ApiJson.MAPPER.createObjectNode().put("prompt", message.prompt()).put("turn", message.turn())
                    .put("queued", message.queued());
        } else if (event instanceof StreamEvent.Turn turn) {
            data = turn(turn.turn());
        } else if (event instanceof StreamEvent.Permission permission) {
            data = PermissionJson.request(permission.request());
        } else if (event instanceof StreamEvent.PermissionResolved resolved) {
            data = PermissionJson.resolution(resolved.resolution());
        } else {
            data = done((StreamEvent.Done) event);
        }
        return concat(before, json(data).getBytes(StandardCharsets.UTF_8), after);
    }

    /**
     * An agent event's data: the agent's own JSON object, already compact on one line, sent as it
     * is rather than parsed and written again, with the server's {@code ts} added as its last field.
     */
    static String agentData(StreamEvent.Agent agent) {
        String json = agent.json();
        int end = json.lastIndexOf('}');
        if (agent.ts() == null || end < 0) {
            return json;
        }
        // An empty object takes no comma before the field.
        boolean empty = json.substring(0, end).strip().endsWith("{");
        return json.substring(0, end) + (empty ? "" : ",") + "\"ts\":\"" + EventTime.format(agent.ts()) + "\""
                + json.substring(end);
    }

    /** The end of a live session's turn; what the agent did not report is left out. */
    private static ObjectNode turn(AgentTurn turn) {
        ObjectNode data = ApiJson.MAPPER.createObjectNode().put("turn", turn.number()).put("subtype", turn.subtype())
                .put("is_error", turn.isError());
        if (turn.costUsd() != null) {
            data.put("cost_usd", turn.costUsd());
        }
        if (turn.runCostUsd() != null) {
            data.put("run_cost_usd", turn.runCostUsd());
        }
        putUsage(data, turn.usageJson());
        if (turn.durationMs() != null) {
            data.put("duration_ms", turn.durationMs());
        }
        return data;
    }

    private static byte[] head(String name) {
        return ascii("event: " + name + "\ndata: ");
    }

    /** What follows an event's data: its id, last, and the blank line that dispatches it. */
    private static byte[] tail(String id) {
        return ascii("\nid: " + id + "\n\n");
    }

    /** An event named {@code name} whose data is {@code data} as one line of JSON, with its id. */
    static byte[] named(String id, String name, JsonNode data) {
        try {
            return frame(id, name, ApiJson.MAPPER.writeValueAsBytes(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an event", e);
        }
    }

    private static byte[] frame(String id, String name, byte[] data) {
        return concat(head(name), data, tail(id));
    }

    private static byte[] concat(byte[] head, byte[] data, byte[] tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + data.length + tail.length);
        out.writeBytes(head);
        out.writeBytes(data);
        out.writeBytes(tail);
        return out.toByteArray();
    }

    private static ObjectNode done(StreamEvent.Done done) {
        ObjectNode data = ApiJson.MAPPER.createObjectNode();
        if (done.exitCode() != null) {
            data.put("exit_code", done.exitCode());
        } else {
            data.putNull("exit_code");
        }
        data.put("duration_ms", done.durationMs()).put("status", done.status().wireName());
        if (done.message() != null) {
            data.put("message", done.message());
        }
        if (done.agent() != null) {
            putAgentResult(data, done.agent());
        }
        if (done.ts() != null) {
            data.put("ts", EventTime.format(done.ts()));
        }
        return data;
    }

    /** A coding agent's report, flat in the done event as the Claude Code CLI names its fields. */
    private static void putAgentResult(ObjectNode data, AgentResult result) {
        data.put("session_id", result.sessionId()).put("is_error", result.isError()).put("subtype", result.subtype());
        if (result.numTurns() != null) {
            data.put("num_turns", result.numTurns());
        }
        if (result.totalCostUsd() != null) {
            // What this run cost; a resumed session's earlier runs are in session_cost_usd.
            data.put("total_cost_usd", result.totalCostUsd());
        }
        if (result.sessionCostUsd() != null) {
            data.put("session_cost_usd", result.sessionCostUsd());
        }
        putUsage(data, result.usageJson());
    }

    /** An agent's usage object as it reported it; as a string should it not be JSON after all. */
    private static void putUsage(ObjectNode data, String usageJson) {
        if (usageJson != null) {
            try {
                data.set("usage", ApiJson.MAPPER.readTree(usageJson));
            } catch (JsonProcessingException e) {
                data.put("usage", usageJson);
            }
        }
    }

    private static String json(ObjectNode node) {
        try {
            return ApiJson.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an event", e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
