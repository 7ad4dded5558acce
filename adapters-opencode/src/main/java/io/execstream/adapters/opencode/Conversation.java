package io.execstream.adapters.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.AgentResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one run has seen of its session: the messages it added (those not in the baseline taken
 * before the prompt) and their parts. It turns them into output and events for the listener.
 *
 * <p>Output is the text of the assistant's text parts. Each part's text is tracked by how much of
 * it went out, so a part seen twice (an update, then the same part again from a reload after a
 * dropped event connection) is written once, and a part missed while disconnected is written when
 * the reload brings it. Not thread-safe: the run's thread owns it.
 */
final class Conversation {

    /** Where the conversation's output and events go. */
    interface Sink {
        /** Text the assistant wrote. */
        void stdout(String text);

        /** An event for the listener: a JSON object in compact form. */
        void event(String json);
    }

    /** An error OpenCode reported for the session: its {@code name} and {@code data.message}. */
    record SessionError(String name, String message) {
        static final String ABORTED = "MessageAbortedError";
        /**
         * The abort execstream asked for, when OpenCode ended the session without saying so: an
         * abort while it waits to retry a provider error ends the session idle, with no error.
         */
        static final SessionError ASKED_ABORT = new SessionError(ABORTED, "aborted on request");

        static SessionError of(JsonNode error) {
            String name = OpenCodeJson.text(error, "name");
            String message = OpenCodeJson.text(error.path("data"), "message");
            return new SessionError(name == null ? "UnknownError" : name,
                    message == null ? (error.isMissingNode() ? "no details" : OpenCodeJson.compact(error)) : message);
        }

        boolean aborted() {
            return ABORTED.equals(name);
        }
    }

    private static final class Message {
        JsonNode info;
        String role;
    }

    private static final class Part {
        String messageId;
        String type;
        JsonNode last;
        /** The part's text as far as it is known. */
        String text = "";
        /** How many chars of {@link #text} went out. */
        int written;
        boolean hidden;
    }

    private final String sessionId;
    private final Set<String> baseline;
    private final Sink sink;
    private final Map<String, Message> messages = new LinkedHashMap<>();
    private final Map<String, Part> parts = new HashMap<>();

    Conversation(String sessionId, Set<String> baseline, Sink sink) {
        this.sessionId = sessionId;
        this.baseline = Set.copyOf(baseline);
        this.sink = sink;
    }

    /** One event of the session from {@code GET /event}: passed on, then taken into account. */
    void onEvent(ObjectNode event) {
        sink.event(OpenCodeJson.compact(event));
        JsonNode properties = event.path("properties");
        switch (String.valueOf(OpenCodeJson.text(event, "type"))) {
            case "message.updated" -> message(properties.path("info"));
            case "message.part.updated" -> part(properties.path("part"));
            case "message.part.delta" -> delta(properties);
            default -> {
                // Other events only go to the listener.
            }
        }
    }

    /**
     * The session's messages from {@code GET /session/:id/message}: whatever the events did not
     * bring is taken in, and passed on as the event that would have brought it, marked
     * {@code "reloaded": true}.
     */
    void reload(JsonNode withParts) {
        for (JsonNode entry : withParts) {
            JsonNode info = entry.path("info");
            String id = OpenCodeJson.text(info, "id");
            if (id == null || baseline.contains(id)) {
                continue;
            }
            Message known = messages.get(id);
            if (known == null || !info.equals(known.info)) {
                sink.event(reloaded("message.updated", "info", info));
                message(info);
            }
            for (JsonNode part : entry.path("parts")) {
                Part seen = parts.get(OpenCodeJson.text(part, "id"));
                if (seen == null || !part.equals(seen.last)) {
                    sink.event(reloaded("message.part.updated", "part", part));
                    part(part);
                }
            }
        }
    }

    /**
     * What the tool call {@code callId} of the run's session was called with, as its latest part
     * shows it ({@code state.input}); null when the run saw no such call, or no input for it yet.
     */
    JsonNode toolInput(String callId) {
        if (callId == null) {
            return null;
        }
        for (Part p : parts.values()) {
            if ("tool".equals(p.type) && p.last != null && callId.equals(OpenCodeJson.text(p.last, "callID"))) {
                JsonNode input = p.last.path("state").path("input");
                return input.isObject() ? input : null;
            }
        }
        return null;
    }

    /** Whether the run added a message to the session yet. */
    boolean started() {
        return !messages.isEmpty();
    }

    /** Whether the run has an assistant message and each of them is completed or failed. */
    boolean answered() {
        boolean any = false;
        for (Message m : messages.values()) {
            if ("assistant".equals(m.role)) {
                any = true;
                if (m.info.path("time").path("completed").isMissingNode() && m.info.path("error").isMissingNode()) {
                    return false;
                }
            }
        }
        return any;
    }

    /** The last error an assistant message of the run carries, or null. */
    SessionError messageError() {
        return errorSince(0);
    }

    /** Cost and tokens summed over the run's assistant messages. */
    Totals totals() {
        Totals sum = Totals.NONE;
        for (Message m : messages.values()) {
            if ("assistant".equals(m.role)) {
                sum = sum.plus(m.info);
            }
        }
        return sum;
    }

    /** How many messages the run added so far: a mark for {@link #errorSince}. */
    int size() {
        return messages.size();
    }

    /** How many user messages the run added so far: one more means a prompt was taken. */
    int userMessages() {
        return (int) messages.values().stream().filter(m -> "user".equals(m.role)).count();
    }

    /** The last error an assistant message added after mark {@code from} ({@link #size}) carries, or null. */
    SessionError errorSince(int from) {
        SessionError last = null;
        int i = 0;
        for (Message m : messages.values()) {
            if (i++ >= from && "assistant".equals(m.role) && m.info.path("error").isObject()) {
                last = SessionError.of(m.info.path("error"));
            }
        }
        return last;
    }

    /**
     * The run's report: cost and tokens summed over its assistant messages (one per step), the
     * number of those messages as turns, {@code error} if the session reported one, and the
     * session's cost ({@code sessionCost}, null when unknown).
     */
    AgentResult result(SessionError error, Double sessionCost) {
        int steps = (int) messages.values().stream().filter(m -> "assistant".equals(m.role)).count();
        String subtype = error == null ? "success" : error.aborted() ? "aborted" : "error";
        Totals totals = totals();
        return new AgentResult(sessionId, error != null, subtype, steps, totals.costOrNull(), totals.usageJson(), sessionCost);
    }

    private void message(JsonNode info) {
        String id = OpenCodeJson.text(info, "id");
        if (id == null || baseline.contains(id)) {
            return;
        }
        Message m = messages.computeIfAbsent(id, k -> new Message());
        boolean becameAssistant = m.role == null && "assistant".equals(OpenCodeJson.text(info, "role"));
        m.info = info;
        m.role = OpenCodeJson.text(info, "role");
        if (becameAssistant) {
            // Parts that came before their message's role was known are written now.
            List<Part> waiting = new ArrayList<>();
            parts.values().stream().filter(p -> id.equals(p.messageId)).forEach(waiting::add);
            waiting.forEach(this::write);
        }
    }

    private void part(JsonNode node) {
        String id = OpenCodeJson.text(node, "id");
        String messageId = OpenCodeJson.text(node, "messageID");
        if (id == null || messageId == null || baseline.contains(messageId)) {
            return;
        }
        Part p = parts.computeIfAbsent(id, k -> new Part());
        p.messageId = messageId;
        p.type = OpenCodeJson.text(node, "type");
        p.last = node;
        p.hidden = node.path("synthetic").asBoolean(false) || node.path("ignored").asBoolean(false);
        String text = OpenCodeJson.text(node, "text");
        if (text != null) {
            p.text = text;
        }
        write(p);
    }

    /** The newer protocol's {@code message.part.delta}: a piece of a part's field. */
    private void delta(JsonNode properties) {
        String id = OpenCodeJson.text(properties, "partID");
        String messageId = OpenCodeJson.text(properties, "messageID");
        String delta = OpenCodeJson.text(properties, "delta");
        if (id == null || messageId == null || delta == null || baseline.contains(messageId)
                || !"text".equals(OpenCodeJson.text(properties, "field"))) {
            return;
        }
        Part p = parts.computeIfAbsent(id, k -> new Part());
        p.messageId = messageId;
        p.text = p.text + delta;
        write(p);
    }

    private void write(Part p) {
        Message m = messages.get(p.messageId);
        if (m == null || !"assistant".equals(m.role) || !"text".equals(p.type) || p.hidden) {
            return;
        }
        if (p.text.length() > p.written) {
            // A part's text only grows while it streams; OpenCode trims its end when the part is done.
            String fresh = p.text.substring(p.written);
            p.written = p.text.length();
            sink.stdout(fresh);
        }
    }

    private String reloaded(String type, String field, JsonNode value) {
        ObjectNode event = OpenCodeJson.MAPPER.createObjectNode().put("type", type);
        ObjectNode properties = event.putObject("properties").put("sessionID", sessionId);
        properties.set(field, value);
        event.put("reloaded", true);
        return OpenCodeJson.compact(event);
    }
}
