package io.execstream.adapters.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool call that waits for approval, as OpenCode asks for it on its event stream, and the denial
 * a run answers it with: no one watches a run to approve anything, and an unanswered request
 * would hold the run until it is cancelled or times out.
 *
 * <p>Two shapes, by OpenCode version:
 * <ul>
 *   <li>{@code permission.asked} (OpenCode 1.1 and later): {@code {id, sessionID, permission,
 *       patterns, always, metadata, tool}}, answered with {@code POST /permission/:id/reply} and
 *       {@code {"reply":"reject","message":M}}. OpenCode hands M to the model as the reason, and
 *       the session goes on without the tool;</li>
 *   <li>{@code permission.updated} (earlier versions): {@code {id, type, pattern, sessionID,
 *       messageID, callID, title}}, answered with {@code POST /session/:id/permissions/:id} and
 *       {@code {"response":"reject"}} (a route later versions keep as deprecated). The session
 *       then stops.</li>
 * </ul>
 *
 * @param id         the request's id
 * @param sessionId  the session that asks: the run's, or one of its subagents'
 * @param permission what is asked for: a tool ({@code bash}, {@code edit}, {@code webfetch}, ...)
 * @param patterns   what the tool would act on, such as the command line; may be empty
 * @param always     the patterns OpenCode suggests a standing rule for; empty for the older shape
 * @param legacy     whether it came as {@code permission.updated}
 */
record PermissionRequest(String id, String sessionId, String permission, List<String> patterns, List<String> always,
                         boolean legacy) {
    static final String ASKED = "permission.asked";
    static final String UPDATED = "permission.updated";
    /** What the model is told of the denial. */
    static final String REASON = "No one can approve tool calls in this session: it runs unattended through "
            + "execstream, which denies every request for permission. Carry on without this call if you can, "
            + "and say what you could not do.";
    private static final int SHOWN_CHARS = 200;

    /** Whether an event of {@code type} asks for a permission. */
    static boolean asks(String type) {
        return ASKED.equals(type) || UPDATED.equals(type);
    }

    /** The request in an event of {@code type} with {@code properties}; null when it names no id or session. */
    static PermissionRequest of(String type, JsonNode properties) {
        String id = OpenCodeJson.text(properties, "id");
        String session = OpenCodeJson.text(properties, "sessionID");
        if (id == null || session == null) {
            return null;
        }
        boolean legacy = UPDATED.equals(type);
        String permission = OpenCodeJson.text(properties, legacy ? "type" : "permission");
        return new PermissionRequest(id, session, permission == null ? "a tool" : permission,
                texts(properties.get(legacy ? "pattern" : "patterns")), texts(properties.get("always")), legacy);
    }

    /** Where the denial goes. */
    String replyPath() {
        return legacy ? "/session/" + sessionId + "/permissions/" + id : "/permission/" + id + "/reply";
    }

    /** The denial. */
    ObjectNode rejectBody() {
        ObjectNode body = OpenCodeJson.MAPPER.createObjectNode();
        return legacy ? body.put("response", "reject") : body.put("reply", "reject").put("message", REASON);
    }

    /**
     * The {@code permission} entry of OpenCode's config that would have allowed it, e.g.
     * {@code {"bash":{"git push *":"allow"}}}: by the pattern OpenCode suggests, else the whole tool.
     */
    ObjectNode allowRule() {
        ObjectNode rule = OpenCodeJson.MAPPER.createObjectNode();
        if (always.isEmpty()) {
            rule.put(permission, "allow");
        } else {
            rule.putObject(permission).put(always.get(0), "allow");
        }
        return rule;
    }

    /**
     * The agent event that reports the denial; {@code failure} is why the denial could not be
     * sent, or null when OpenCode took it.
     */
    String deniedEvent(String failure) {
        ObjectNode event = OpenCodeJson.MAPPER.createObjectNode().put("type", "execstream")
                .put("subtype", "permission_denied").put("request_id", id).put("session_id", sessionId)
                .put("permission", permission);
        patterns.forEach(event.putArray("patterns")::add);
        event.put("reason", "execstream runs the agent unattended and denies every request for permission");
        event.set("allow", allowRule());
        event.put("replied", failure == null);
        if (failure != null) {
            event.put("error", failure);
        }
        return OpenCodeJson.compact(event);
    }

    /** The stderr line that reports the denial, or, with a {@code failure}, that it could not be sent. */
    String stderrLine(String failure) {
        String what = permission + (patterns.isEmpty() ? "" : " (" + shown(String.join(", ", patterns)) + ")");
        String allow = "\"permission\": " + OpenCodeJson.compact(allowRule()) + " in the OpenCode server's config";
        if (failure != null) {
            return "opencode: " + what + " waits for an approval execstream cannot give, and denying it failed: "
                    + shown(failure) + "; the run waits until it is cancelled or times out. To allow it, set " + allow + "\n";
        }
        return "opencode: denied " + what + ": execstream cannot ask anyone to approve it. To allow it, set " + allow + "\n";
    }

    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null && node.isTextual()) {
            out.add(node.textValue());
        } else if (node != null && node.isArray()) {
            node.forEach(element -> {
                if (element.isTextual()) {
                    out.add(element.textValue());
                }
            });
        }
        return List.copyOf(out);
    }

    /** {@code text} on one line and at most {@value #SHOWN_CHARS} chars, for a line of stderr. */
    private static String shown(String text) {
        String line = text.replaceAll("\\p{Cntrl}", " ");
        return line.length() <= SHOWN_CHARS ? line : line.substring(0, SHOWN_CHARS) + "...";
    }
}
