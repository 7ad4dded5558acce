package io.execstream.client;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A prompt for a coding agent: {@code POST /projects/{project}/agents/{provider}}, see
 * {@link ExecStreamClient#startAgent}. It checks what it can without the server (a blank prompt,
 * an idle timeout without a live session, a timeout out of range); the server checks the rest,
 * and answers {@code 400} ({@code unsupported_by_provider}, {@code invalid_request}, ...) for
 * what it refuses.
 *
 * <pre>{@code
 * AgentRequest.prompt("claude-code", "Run the tests").withModel("claude-sonnet-4-5")
 * AgentRequest.interactive("claude-code", "Run the tests").withIdleTimeout(Duration.ofMinutes(30))
 * AgentRequest.interactive("claude-code", "Clean the build").withApprovalTimeout(Duration.ofMinutes(2))
 * }</pre>
 *
 * @param provider    the agent: {@code claude-code}, {@code opencode}, or another the server has
 * @param prompt      what to ask, not blank
 * @param interactive whether the run is a live session that takes
 *                    {@linkplain ExecStreamClient#sendMessage messages} until it is closed
 * @param idleTimeout for a live session, how long it may wait for a message before it is closed,
 *                    or null for the server's default (10 minutes)
 * @param model       the model to use, or null for the agent's default
 * @param sessionId   an earlier run's {@code session_id} to continue, or null for a new session
 * @param timeout     how long the whole run may take, or null for the server's agent timeout
 * @param options     the provider's own options by name (for {@code claude-code}:
 *                    {@code max_turns}, {@code allowed_tools}, {@code permission_mode}), sent
 *                    through the provider's alias route ({@code /claude}); empty for none
 * @param approvals   for a live session, whether a tool call the agent's rules do not allow is
 *                    asked of a person ({@link StreamListener#onPermission}) instead of refused
 * @param approvalTimeout with approvals, how long a request waits for an answer before it is
 *                    denied, or null for the server's default (5 minutes)
 * @param webhookUrl  where this run's webhooks go (when it needs a person, when it ends), beside
 *                    the server's; its host must be one the server allows; null for none
 */
public record AgentRequest(String provider, String prompt, boolean interactive, Duration idleTimeout, String model,
                           String sessionId, Duration timeout, Map<String, Object> options, boolean approvals,
                           Duration approvalTimeout, URI webhookUrl) {
    /** The longest timeout the server takes: 24 hours. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern OPTION = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    /** The fields every provider takes: no option may take their names. */
    private static final Set<String> FIELDS = Set.of("prompt", "session_id", "model", "timeout_ms", "interactive",
            "idle_timeout_ms", "approvals", "approval_timeout_ms", "webhook_url");
    /** The providers whose options the API takes, with the alias route that takes them. */
    private static final Map<String, String> ALIASES = Map.of("claude-code", "claude");

    /** Checks the request as far as the client can, and copies the options. */
    public AgentRequest {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(prompt, "prompt");
        if (!PROVIDER.matcher(provider).matches()) {
            throw new IllegalArgumentException("provider must be a name such as claude-code or opencode, got '"
                    + provider + "'");
        }
        if (prompt.isBlank()) {
            throw new IllegalArgumentException("the prompt is blank: say what the agent should do");
        }
        if (idleTimeout != null && !interactive) {
            throw new IllegalArgumentException("an idle timeout is only for a live session: start it with AgentRequest.interactive(provider, prompt)");
        }
        if (approvals && !interactive) {
            throw new IllegalArgumentException("approvals are only for a live session: start it with AgentRequest.interactive(provider, prompt)");
        }
        if (approvalTimeout != null && !approvals) {
            throw new IllegalArgumentException("an approval timeout is only for a session with approvals: use withApprovals() or withApprovalTimeout");
        }
        checkMillis(idleTimeout, "idleTimeout");
        checkMillis(approvalTimeout, "approvalTimeout");
        checkMillis(timeout, "timeout");
        options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
        for (Map.Entry<String, Object> option : options.entrySet()) {
            if (!OPTION.matcher(option.getKey()).matches() || FIELDS.contains(option.getKey())) {
                throw new IllegalArgumentException("option names are lower-case snake_case words other than "
                        + String.join(", ", FIELDS.stream().sorted().toList()) + ", got '" + option.getKey() + "'");
            }
            Objects.requireNonNull(option.getValue(), () -> "option " + option.getKey());
        }
        if (!options.isEmpty() && !ALIASES.containsKey(provider)) {
            throw new IllegalArgumentException("the API takes options only for " + String.join(", ", ALIASES.keySet())
                    + ", not for " + provider);
        }
    }

    /** A request without approvals: the form before sessions could ask. */
    public AgentRequest(String provider, String prompt, boolean interactive, Duration idleTimeout, String model,
                        String sessionId, Duration timeout, Map<String, Object> options) {
        this(provider, prompt, interactive, idleTimeout, model, sessionId, timeout, options, false, null, null);
    }

    /** A request without a webhook of its own: the form before webhooks. */
    public AgentRequest(String provider, String prompt, boolean interactive, Duration idleTimeout, String model,
                        String sessionId, Duration timeout, Map<String, Object> options, boolean approvals,
                        Duration approvalTimeout) {
        this(provider, prompt, interactive, idleTimeout, model, sessionId, timeout, options, approvals, approvalTimeout,
                null);
    }

    /** A one-prompt run of {@code provider}: it ends when the agent has answered. */
    public static AgentRequest prompt(String provider, String prompt) {
        return new AgentRequest(provider, prompt, false, null, null, null, null, null);
    }

    /**
     * A live session of {@code provider}: after its first prompt the agent keeps running and takes
     * {@linkplain ExecStreamClient#sendMessage follow-up messages} until it is closed.
     */
    public static AgentRequest interactive(String provider, String prompt) {
        return new AgentRequest(provider, prompt, true, null, null, null, null, null);
    }

    /** This live session, closed after waiting {@code idleTimeout} for a message (whole milliseconds, up to 24 h). */
    public AgentRequest withIdleTimeout(Duration idleTimeout) {
        return new AgentRequest(provider, prompt, interactive, Objects.requireNonNull(idleTimeout, "idleTimeout"),
                model, sessionId, timeout, options, approvals, approvalTimeout, webhookUrl);
    }

    /** This request with the model to use, e.g. {@code claude-sonnet-4-5} or {@code anthropic/claude-sonnet-4-5}. */
    public AgentRequest withModel(String model) {
        return new AgentRequest(provider, prompt, interactive, idleTimeout, Objects.requireNonNull(model, "model"),
                sessionId, timeout, options, approvals, approvalTimeout, webhookUrl);
    }

    /** This request continuing the session of an earlier run: its done event's {@code session_id}. */
    public AgentRequest resuming(String sessionId) {
        return new AgentRequest(provider, prompt, interactive, idleTimeout, model,
                Objects.requireNonNull(sessionId, "sessionId"), timeout, options, approvals, approvalTimeout, webhookUrl);
    }

    /** This request with a limit on the whole run (whole milliseconds, up to 24 h). */
    public AgentRequest withTimeout(Duration timeout) {
        return new AgentRequest(provider, prompt, interactive, idleTimeout, model, sessionId,
                Objects.requireNonNull(timeout, "timeout"), options, approvals, approvalTimeout, webhookUrl);
    }

    /**
     * This request with one of the provider's own options, as a JSON value (a string, number,
     * boolean, list or map of these), e.g. {@code withOption("max_turns", 5)}.
     */
    public AgentRequest withOption(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(options);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new AgentRequest(provider, prompt, interactive, idleTimeout, model, sessionId, timeout, more, approvals,
                approvalTimeout, webhookUrl);
    }

    /**
     * This live session, asking a person before a tool call its rules do not allow instead of
     * refusing it: each request is a {@link PermissionEvent}, answered with
     * {@link ExecStreamClient#answerPermission}, and denied if no one answers within the server's
     * default (5 minutes). The server answers {@code 400 unsupported_by_provider} for an agent
     * that cannot ask.
     */
    public AgentRequest withApprovals() {
        return new AgentRequest(provider, prompt, interactive, idleTimeout, model, sessionId, timeout, options, true,
                approvalTimeout, webhookUrl);
    }

    /**
     * This live session {@linkplain #withApprovals() with approvals}, each request denied when no
     * one has answered it within {@code approvalTimeout} (whole milliseconds, up to 24 h).
     */
    public AgentRequest withApprovalTimeout(Duration approvalTimeout) {
        return new AgentRequest(provider, prompt, interactive, idleTimeout, model, sessionId, timeout, options, true,
                Objects.requireNonNull(approvalTimeout, "approvalTimeout"), webhookUrl);
    }

    /**
     * This run with its own webhooks sent to {@code url} (an {@code http} or {@code https} URL),
     * beside the server's: a POST when it needs a person and when it ends. The server answers
     * {@code 400 webhook_not_allowed} for a host it does not allow ({@code --webhook-allow}).
     */
    public AgentRequest withWebhookUrl(URI url) {
        return new AgentRequest(provider, prompt, interactive, idleTimeout, model, sessionId, timeout, options, approvals,
                approvalTimeout, Objects.requireNonNull(url, "url"));
    }

    /** The path under the project: the provider's alias route when options are given. */
    String path() {
        return options.isEmpty() ? "agents/" + ExecStreamClient.segment(provider) : ALIASES.get(provider);
    }

    /** The request body: the fields that are set. */
    String toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", prompt);
        if (sessionId != null) {
            body.put("session_id", sessionId);
        }
        if (model != null) {
            body.put("model", model);
        }
        if (timeout != null) {
            body.put("timeout_ms", timeout.toMillis());
        }
        if (interactive) {
            body.put("interactive", true);
        }
        if (idleTimeout != null) {
            body.put("idle_timeout_ms", idleTimeout.toMillis());
        }
        if (approvals) {
            body.put("approvals", true);
        }
        if (approvalTimeout != null) {
            body.put("approval_timeout_ms", approvalTimeout.toMillis());
        }
        if (webhookUrl != null) {
            body.put("webhook_url", webhookUrl.toString());
        }
        body.putAll(options);
        return Json.write(body);
    }

    private static void checkMillis(Duration d, String name) {
        if (d != null && (d.toMillis() < 1 || d.compareTo(MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException(name + " must be from 1 ms to 24 h, got " + d);
        }
    }
}
