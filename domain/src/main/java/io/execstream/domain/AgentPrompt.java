package io.execstream.domain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A run of a coding agent, in terms every provider shares: the prompt, and optionally a session
 * to resume, a model, a timeout, and options of the provider's own.
 *
 * <p>This type knows no provider. It checks what is the same for all of them: a prompt is given,
 * a session id and a model name are short words that no command line can read as an option, a
 * timeout is within {@link CommandSpec}'s bounds, and the options are JSON-like values. What an
 * option means, which ones exist and what values they take is the provider's to say: the core
 * hands the prompt to {@code CodeAgent.validate} before it opens a stream, so an option the
 * provider refuses is a 400 and nothing starts. Limits that come from how a provider passes the
 * prompt on (a command-line argument, a request body) are the provider's as well.
 *
 * @param prompt    what the agent is asked to do; not blank
 * @param sessionId an earlier conversation to continue
 * @param model     the model to use, named as the provider names them
 * @param timeout   how long the run may take before it is stopped ({@code timed_out})
 * @param options   the provider's own options by name (lower-case, {@code snake_case}), as JSON
 *                  values: {@link String}, {@link Boolean}, a {@link Number} ({@link Integer},
 *                  {@link Long}, {@link BigInteger}, {@link Double}, {@link BigDecimal}), a
 *                  {@link List} or a {@link Map} with {@link String} keys of these; never null.
 *                  Held as an unmodifiable copy, in the given order
 * @param interactive whether the run is a live session: the agent keeps running after its first
 *                  turn and takes follow-up messages and interrupts until it is closed, idle past
 *                  {@code idleTimeout}, cancelled, timed out, or ends by itself
 * @param idleTimeout for a live session, how long it may wait for a message before it is closed;
 *                  empty for {@link #DEFAULT_IDLE_TIMEOUT}. Only with {@code interactive}
 * @param approvals whether the agent asks before a tool call its rules do not allow, and waits
 *                  for a person's answer ({@link PermissionRequest}), instead of being refused
 *                  the call. Only with {@code interactive}
 * @param approvalTimeout how long a request for permission waits for an answer before it is
 *                  denied; empty for {@link #DEFAULT_APPROVAL_TIMEOUT}. Only with {@code approvals}
 */
public record AgentPrompt(String prompt, Optional<String> sessionId, Optional<String> model,
                          Optional<Duration> timeout, Map<String, Object> options,
                          boolean interactive, Optional<Duration> idleTimeout,
                          boolean approvals, Optional<Duration> approvalTimeout) {
    /** How long a live session waits for a message, unless the prompt says otherwise. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** How long a request for permission waits for an answer, unless the prompt says otherwise. */
    public static final Duration DEFAULT_APPROVAL_TIMEOUT = Duration.ofMinutes(5);
    /** The most options a prompt may carry. */
    public static final int MAX_OPTIONS = 64;
    /** The names of the neutral fields, which no option may take. */
    public static final Set<String> FIELDS = Set.of("prompt", "session_id", "model", "timeout_ms",
            "interactive", "idle_timeout_ms", "approvals", "approval_timeout_ms");
    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
    /** A model name; '/' for agents that name models provider/model (OpenCode). */
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/\\[\\]-]{0,127}");
    private static final Pattern OPTION_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    public AgentPrompt {
        if (prompt == null || prompt.isBlank()) {
            throw new InvalidInputException(ErrorCode.PROMPT_REQUIRED, "prompt is required");
        }
        sessionId = sessionId == null ? Optional.empty() : sessionId;
        model = model == null ? Optional.empty() : model;
        timeout = timeout == null ? Optional.empty() : timeout;
        if (sessionId.isPresent() && !SESSION.matcher(sessionId.get()).matches()) {
            throw invalid("session_id must be 1 to 128 letters, digits, '_' or '-', starting with a letter or digit");
        }
        if (model.isPresent() && !MODEL.matcher(model.get()).matches()) {
            throw invalid("model must be 1 to 128 letters, digits or . _ : / - [ ], starting with a letter or digit");
        }
        timeout.ifPresent(t -> CommandSpec.timeoutOfMillis(t.toMillis()));
        options = copyOptions(options == null ? Map.of() : options);
        idleTimeout = idleTimeout == null ? Optional.empty() : idleTimeout;
        if (idleTimeout.isPresent() && !interactive) {
            throw invalid("idle_timeout_ms is only for an interactive session (\"interactive\": true)");
        }
        idleTimeout.ifPresent(t -> checkTimeout("idle_timeout_ms", t));
        approvalTimeout = approvalTimeout == null ? Optional.empty() : approvalTimeout;
        if (approvals && !interactive) {
            throw invalid("approvals are only for an interactive session (\"interactive\": true)");
        }
        if (approvalTimeout.isPresent() && !approvals) {
            throw invalid("approval_timeout_ms is only for a session with approvals (\"approvals\": true)");
        }
        approvalTimeout.ifPresent(t -> checkTimeout("approval_timeout_ms", t));
    }

    /** A run of one prompt, not a live session. */
    public AgentPrompt(String prompt, Optional<String> sessionId, Optional<String> model,
                       Optional<Duration> timeout, Map<String, Object> options) {
        this(prompt, sessionId, model, timeout, options, false, Optional.empty());
    }

    /** A run without approvals. */
    public AgentPrompt(String prompt, Optional<String> sessionId, Optional<String> model,
                       Optional<Duration> timeout, Map<String, Object> options,
                       boolean interactive, Optional<Duration> idleTimeout) {
        this(prompt, sessionId, model, timeout, options, interactive, idleTimeout, false, Optional.empty());
    }

    /** Just a prompt, everything else the agent's default. */
    public static AgentPrompt of(String prompt) {
        return new AgentPrompt(prompt, Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }

    /** This prompt resuming {@code sessionId}. */
    public AgentPrompt resuming(String sessionId) {
        return new AgentPrompt(prompt, Optional.of(sessionId), model, timeout, options, interactive, idleTimeout,
                approvals, approvalTimeout);
    }

    /** This prompt with {@code model}. */
    public AgentPrompt withModel(String model) {
        return new AgentPrompt(prompt, sessionId, Optional.of(model), timeout, options, interactive, idleTimeout,
                approvals, approvalTimeout);
    }

    /** This prompt stopped after {@code timeout}. */
    public AgentPrompt withTimeout(Duration timeout) {
        return new AgentPrompt(prompt, sessionId, model, Optional.of(timeout), options, interactive, idleTimeout,
                approvals, approvalTimeout);
    }

    /** This prompt with {@code options} in place of its own. */
    public AgentPrompt withOptions(Map<String, ?> options) {
        return new AgentPrompt(prompt, sessionId, model, timeout, new LinkedHashMap<>(options), interactive,
                idleTimeout, approvals, approvalTimeout);
    }

    /**
     * This prompt as the first of a live session, closed after {@code idleTimeout} without a
     * message (null for {@link #DEFAULT_IDLE_TIMEOUT}).
     */
    public AgentPrompt interactive(Duration idleTimeout) {
        return new AgentPrompt(prompt, sessionId, model, timeout, options, true, Optional.ofNullable(idleTimeout),
                approvals, approvalTimeout);
    }

    /**
     * This live session with approvals: a request for permission waits for a person's answer,
     * and is denied after {@code approvalTimeout} (null for {@link #DEFAULT_APPROVAL_TIMEOUT}).
     */
    public AgentPrompt withApprovals(Duration approvalTimeout) {
        return new AgentPrompt(prompt, sessionId, model, timeout, options, interactive, idleTimeout, true,
                Optional.ofNullable(approvalTimeout));
    }

    /** How long this live session may wait for a message: its own idle timeout or the default. */
    public Duration idleTimeoutOrDefault() {
        return idleTimeout.orElse(DEFAULT_IDLE_TIMEOUT);
    }

    /** How long a request for permission waits for an answer: this prompt's own or the default. */
    public Duration approvalTimeoutOrDefault() {
        return approvalTimeout.orElse(DEFAULT_APPROVAL_TIMEOUT);
    }

    /** The option named {@code name}, if given. */
    public Optional<Object> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    private static Map<String, Object> copyOptions(Map<String, ?> given) {
        if (given.size() > MAX_OPTIONS) {
            throw invalid("at most " + MAX_OPTIONS + " options");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : given.entrySet()) {
            String name = e.getKey();
            if (name == null || !OPTION_NAME.matcher(name).matches() || FIELDS.contains(name)) {
                throw invalid("an option name is 1 to 64 lower-case letters, digits or '_', starting with a letter,"
                        + " and none of " + String.join(", ", FIELDS.stream().sorted().toList()));
            }
            copy.put(name, json(name, e.getValue()));
        }
        return Collections.unmodifiableMap(copy);
    }

    /** {@code value} as an unmodifiable JSON value, or an error naming {@code option}. */
    private static Object json(String option, Object value) {
        if (value instanceof String || value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof BigInteger || value instanceof BigDecimal) {
            return value;
        }
        if (value instanceof Double d && Double.isFinite(d)) {
            return d;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object element : list) {
                copy.add(json(option, element));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw invalid("option " + option + " must be a JSON value: object keys are strings");
                }
                copy.put(key, json(option, e.getValue()));
            }
            return Collections.unmodifiableMap(copy);
        }
        throw invalid("option " + option + " must be a JSON value: a string, boolean, number, array or object, not "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    private static void checkTimeout(String field, Duration t) {
        if (t.isNegative() || t.isZero() || t.compareTo(CommandSpec.MAX_TIMEOUT) > 0) {
            throw new InvalidInputException(ErrorCode.INVALID_TIMEOUT,
                    field + " must be a whole number from 1 to " + CommandSpec.MAX_TIMEOUT.toMillis());
        }
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException(ErrorCode.INVALID_REQUEST, message);
    }
}
