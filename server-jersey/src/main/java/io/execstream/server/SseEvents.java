package io.execstream.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.AgentResult;
import io.execstream.domain.StreamEvent;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/**
 * The wire form of stream events. Data is JSON on one line (Jackson escapes CR and LF inside
 * strings), so every event is exactly one {@code data:} field whatever the output held.
 */
final class SseEvents {
    /** Milliseconds an EventSource waits before it reconnects. */
    static final long RETRY_MS = 2000;

    private SseEvents() {
    }

    /**
     * The first thing on every stream, sent at once so that the headers go out and the client's
     * EventSource opens before the command writes anything.
     */
    static OutboundSseEvent opening(Sse sse) {
        return sse.newEventBuilder().comment("connected").build();
    }

    static OutboundSseEvent keepalive(Sse sse) {
        return sse.newEventBuilder().comment("keepalive").build();
    }

    /**
     * Events the client asked for are gone. The gap's id is that of the last missed event, so a
     * client that reconnects after it is not told of the same gap again; {@code first}: see {@link #of}.
     */
    static OutboundSseEvent gap(Sse sse, Gap gap, boolean first) {
        ObjectNode data = JsonConfig.MAPPER.createObjectNode().put("missed", gap.missed());
        return withData(sse, first).id(gap.lastMissedId()).name("gap").data(String.class, json(data)).build();
    }

    /** Encoded data of recent events, by stream and event id: see {@link #of}. */
    private static final Map<String, byte[]> ENCODED = new ConcurrentHashMap<>();
    private static final int MAX_ENCODED = 8192;

    /**
     * An event of the stream. The first event of a response also carries {@code retry:}, which
     * Jersey writes only on events with data. Every subscriber of a stream is handed the same
     * event, so its data is encoded (JSON, then UTF-8) once and the bytes shared, keyed by
     * {@code streamKey} and the event id.
     */
    static OutboundSseEvent of(Sse sse, String streamKey, PublishedEvent published, boolean first) {
        byte[] data = ENCODED.get(streamKey + ' ' + published.id());
        if (data == null) {
            data = encode(published.event());
            if (ENCODED.size() >= MAX_ENCODED) {
                // A crude bound, enough for a cache whose every entry is cheap to make again.
                ENCODED.clear();
            }
            ENCODED.put(streamKey + ' ' + published.id(), data);
        }
        return withData(sse, first).id(published.id()).name(name(published.event())).data(byte[].class, data).build();
    }

    private static String name(StreamEvent event) {
        if (event instanceof StreamEvent.Output) {
            return "output";
        }
        return event instanceof StreamEvent.Agent ? "agent" : "done";
    }

    private static byte[] encode(StreamEvent event) {
        if (event instanceof StreamEvent.Agent agent) {
            // Already compact JSON on one line: sent as it is, not parsed and written again.
            return agent.json().getBytes(StandardCharsets.UTF_8);
        }
        if (event instanceof StreamEvent.Output output) {
            return OutputJson.encode(output);
        }
        StreamEvent.Done done = (StreamEvent.Done) event;
        ObjectNode data = JsonConfig.MAPPER.createObjectNode();
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
        return json(data).getBytes(StandardCharsets.UTF_8);
    }

    /** A coding agent's report, flat in the done event as the Claude Code CLI names its fields. */
    private static void putAgentResult(ObjectNode data, AgentResult result) {
        data.put("session_id", result.sessionId()).put("is_error", result.isError()).put("subtype", result.subtype());
        if (result.numTurns() != null) {
            data.put("num_turns", result.numTurns());
        }
        if (result.totalCostUsd() != null) {
            data.put("total_cost_usd", result.totalCostUsd());
        }
        if (result.usageJson() != null) {
            try {
                data.set("usage", JsonConfig.MAPPER.readTree(result.usageJson()));
            } catch (JsonProcessingException e) {
                data.put("usage", result.usageJson());
            }
        }
    }

    private static OutboundSseEvent.Builder withData(Sse sse, boolean first) {
        OutboundSseEvent.Builder builder = sse.newEventBuilder().mediaType(MediaType.TEXT_PLAIN_TYPE);
        return first ? builder.reconnectDelay(RETRY_MS) : builder;
    }

    private static String json(ObjectNode node) {
        try {
            return JsonConfig.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an event", e);
        }
    }
}
