package io.execstream.domain;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A run of a coding agent: the prompt, and optionally a session to resume, a model, a turn limit,
 * the tools it may use without asking, a permission mode and a timeout. Each value is checked so
 * that none can be read as another command-line option by the agent's CLI.
 *
 * @param allowedTools tool rules such as {@code Bash(git log:*)} or {@code Edit}; empty for the agent's default
 */
public record AgentPrompt(String prompt, Optional<String> sessionId, Optional<String> model,
                          OptionalInt maxTurns, List<String> allowedTools, Optional<String> permissionMode,
                          Optional<Duration> timeout) {
    /**
     * The longest prompt accepted, in bytes of UTF-8. The prompt travels as one command-line
     * argument, and Linux refuses any single argument of 128 KiB or more.
     */
    public static final int MAX_PROMPT_BYTES = 120_000;
    /** The most turns a run may ask for. */
    public static final int MAX_TURNS = 1000;
    /** The most allowed-tool rules a run may give. */
    public static final int MAX_TOOLS = 100;
    /** The permission modes an agent may be asked to run in. */
    public static final Set<String> PERMISSION_MODES = Set.of("default", "acceptEdits", "plan", "bypassPermissions");
    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
    /** A model name; '/' for agents that name models provider/model (OpenCode). */
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/\\[\\]-]{0,127}");
    /** A tool name, optionally with a rule in parentheses: {@code Bash(npm run test:*)}. */
    private static final Pattern TOOL = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,127}(\\([^()\\p{Cntrl}]{1,256}\\))?");

    public AgentPrompt {
        if (prompt == null || prompt.isBlank()) {
            throw new InvalidInputException(ErrorCode.PROMPT_REQUIRED, "prompt is required");
        }
        if (prompt.length() > MAX_PROMPT_BYTES || prompt.indexOf('\0') >= 0
                || prompt.getBytes(StandardCharsets.UTF_8).length > MAX_PROMPT_BYTES) {
            throw invalid("prompt must be at most " + MAX_PROMPT_BYTES + " bytes of UTF-8, without NUL");
        }
        sessionId = sessionId == null ? Optional.empty() : sessionId;
        model = model == null ? Optional.empty() : model;
        maxTurns = maxTurns == null ? OptionalInt.empty() : maxTurns;
        allowedTools = allowedTools == null ? List.of() : List.copyOf(allowedTools);
        permissionMode = permissionMode == null ? Optional.empty() : permissionMode;
        timeout = timeout == null ? Optional.empty() : timeout;
        if (sessionId.isPresent() && !SESSION.matcher(sessionId.get()).matches()) {
            throw invalid("session_id must be 1 to 128 letters, digits, '_' or '-', starting with a letter or digit");
        }
        if (model.isPresent() && !MODEL.matcher(model.get()).matches()) {
            throw invalid("model must be 1 to 128 letters, digits or . _ : / - [ ], starting with a letter or digit");
        }
        if (maxTurns.isPresent() && (maxTurns.getAsInt() < 1 || maxTurns.getAsInt() > MAX_TURNS)) {
            throw invalid("max_turns must be a whole number from 1 to " + MAX_TURNS);
        }
        if (allowedTools.size() > MAX_TOOLS || !allowedTools.stream().allMatch(t -> TOOL.matcher(t).matches())) {
            throw invalid("allowed_tools must be at most " + MAX_TOOLS + " tool names such as Edit or Bash(git log:*)");
        }
        if (permissionMode.isPresent() && !PERMISSION_MODES.contains(permissionMode.get())) {
            throw invalid("permission_mode must be one of " + String.join(", ", PERMISSION_MODES.stream().sorted().toList()));
        }
        timeout.ifPresent(t -> CommandSpec.timeoutOfMillis(t.toMillis()));
    }

    /** Just a prompt, everything else the agent's default. */
    public static AgentPrompt of(String prompt) {
        return new AgentPrompt(prompt, Optional.empty(), Optional.empty(), OptionalInt.empty(), List.of(),
                Optional.empty(), Optional.empty());
    }

    /** This prompt resuming {@code sessionId}. */
    public AgentPrompt resuming(String sessionId) {
        return new AgentPrompt(prompt, Optional.of(sessionId), model, maxTurns, allowedTools, permissionMode, timeout);
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException(ErrorCode.INVALID_REQUEST, message);
    }
}
