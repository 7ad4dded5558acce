package io.execstream.adapters.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.PermissionDecision;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool call that waits for approval, as OpenCode asks for it on its event stream, and the
 * answers a run gives it: a live session started with approvals passes it on to be answered by a
 * person ({@link #askInput}, {@link #answerBody}); any other run denies it at once
 * ({@link #rejectBody}), since no one watches it to approve anything, and an unanswered request
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
 * An allow is {@code "once"} in both shapes: a standing rule ({@code "always"}) would let later
 * calls run without asking anyone, which is not the person's decision to make through one answer.
 * Neither shape takes changed input for the tool.
 *
 * @param id         the request's id
 * @param sessionId  the session that asks: the run's, or one of its subagents'
 * @param permission what is asked for: a tool ({@code bash}, {@code edit}, {@code webfetch}, ...)
 * @param patterns   what the tool would act on, such as the command line; may be empty
 * @param always     the patterns OpenCode suggests a standing rule for; empty for the older shape
 * @param metadata   what OpenCode adds for the person who decides (for an edit, the file and
 *                   the diff); an empty object when none
 * @param callId     the tool call that asks, when OpenCode names it; null otherwise
 * @param title      what the older shape calls the request (e.g. the command line); null for the newer
 * @param legacy     whether it came as {@code permission.updated}
 */
record PermissionRequest(String id, String sessionId, String permission, List<String> patterns, List<String> always,
                         JsonNode metadata, String callId, String title, boolean legacy) {
    static final String ASKED = "permission.asked";
    static final String UPDATED = "permission.updated";
    /** The event that tells a request was answered: by anyone, or by OpenCode itself. */
    static final String REPLIED = "permission.replied";
    /** The most chars of a request's {@link #askInput} before its metadata is left out. */
    static final int MAX_INPUT_CHARS = 32_000;
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
        JsonNode metadata = properties.path("metadata");
        String callId = OpenCodeJson.text(legacy ? properties : properties.path("tool"), "callID");
        return new PermissionRequest(id, session, permission == null ? "a tool" : permission,
                texts(properties.get(legacy ? "pattern" : "patterns")), texts(properties.get("always")),
                metadata.isObject() ? metadata : OpenCodeJson.MAPPER.createObjectNode(), callId,
                legacy ? OpenCodeJson.text(properties, "title") : null, legacy);
    }

    /**
     * The id of the request a {@code permission.replied} event with {@code properties} settles:
     * {@code requestID}, or the older {@code permissionID}; null when it names none.
     */
    static String repliedId(JsonNode properties) {
        String id = OpenCodeJson.text(properties, "requestID");
        return id != null ? id : OpenCodeJson.text(properties, "permissionID");
    }

    /**
     * What the person who decides is shown as the tool's input, a JSON object in compact form:
     * {@code input}, what the tool was called with ({@code toolInput}, when the run saw the call
     * with its input; null otherwise), {@code patterns} (what the tool would act on), {@code always} (what a
     * standing rule would cover) and OpenCode's {@code metadata}. Metadata that would make it
     * longer than {@value #MAX_INPUT_CHARS} chars (a large diff) is left out, and
     * {@code "metadata_omitted": true} says so.
     */
    String askInput(JsonNode toolInput) {
        ObjectNode input = OpenCodeJson.MAPPER.createObjectNode();
        // OpenCode 1.18 asks while the call's part still shows the empty input of a pending call.
        if (toolInput != null && toolInput.isObject() && !toolInput.isEmpty()) {
            input.set("input", toolInput);
        }
        patterns.forEach(input.putArray("patterns")::add);
        if (!always.isEmpty()) {
            always.forEach(input.putArray("always")::add);
        }
        if (!metadata.isEmpty()) {
            input.set("metadata", metadata);
            String all = OpenCodeJson.compact(input);
            if (all.length() <= MAX_INPUT_CHARS) {
                return all;
            }
            input.remove("metadata");
            input.put("metadata_omitted", true);
        }
        return OpenCodeJson.compact(input);
    }

    /**
     * Why the agent asks, for the person who decides: the older shape's title, or that a
     * subagent asks (its session is not the run's, {@code runSessionId}); null when there is nothing
     * to say.
     */
    String reason(String runSessionId) {
        if (title != null && !title.isBlank()) {
            return title;
        }
        return sessionId.equals(runSessionId) ? null : "a subagent asks, in session " + sessionId;
    }

    /**
     * The reply that carries a person's {@code decision}: {@code once} or {@code reject} with its
     * message (the older shape takes no message).
     */
    ObjectNode answerBody(PermissionDecision decision) {
        ObjectNode body = OpenCodeJson.MAPPER.createObjectNode();
        String reply = decision.verdict() == PermissionDecision.Verdict.ALLOW ? "once" : "reject";
        if (legacy) {
            return body.put("response", reply);
        }
        body.put("reply", reply);
        if (decision.verdict() == PermissionDecision.Verdict.DENY && decision.message() != null
                && !decision.message().isBlank()) {
            body.put("message", decision.message());
        }
        return body;
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
