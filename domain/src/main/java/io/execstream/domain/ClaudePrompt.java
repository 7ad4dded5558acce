package io.execstream.domain;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A headless Claude Code run: the prompt, and optionally a session to resume, a model, a turn
 * limit and a timeout. Each value is checked so that none can be read as another CLI option.
 */
public record ClaudePrompt(String prompt, Optional<String> sessionId, Optional<String> model,
                           OptionalInt maxTurns, Optional<Duration> timeout) {
    /** The longest prompt accepted, in characters. */
    public static final int MAX_PROMPT = 200_000;
    /** The most turns a run may ask for. */
    public static final int MAX_TURNS = 1000;
    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\[\\]-]{0,127}");

    public ClaudePrompt {
        if (prompt == null || prompt.isBlank()) {
            throw new InvalidInputException(ErrorCode.PROMPT_REQUIRED, "prompt is required");
        }
        if (prompt.length() > MAX_PROMPT || prompt.indexOf('\0') >= 0) {
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                    "prompt must be at most " + MAX_PROMPT + " characters without NUL");
        }
        sessionId = sessionId == null ? Optional.empty() : sessionId;
        model = model == null ? Optional.empty() : model;
        maxTurns = maxTurns == null ? OptionalInt.empty() : maxTurns;
        timeout = timeout == null ? Optional.empty() : timeout;
        if (sessionId.isPresent() && !SESSION.matcher(sessionId.get()).matches()) {
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                    "session_id must be 1 to 128 letters, digits, '_' or '-', starting with a letter or digit");
        }
        if (model.isPresent() && !MODEL.matcher(model.get()).matches()) {
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                    "model must be 1 to 128 letters, digits or . _ : - [ ], starting with a letter or digit");
        }
        if (maxTurns.isPresent() && (maxTurns.getAsInt() < 1 || maxTurns.getAsInt() > MAX_TURNS)) {
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                    "max_turns must be a whole number from 1 to " + MAX_TURNS);
        }
        timeout.ifPresent(t -> CommandSpec.timeoutOfMillis(t.toMillis()));
    }

    public static ClaudePrompt of(String prompt) {
        return new ClaudePrompt(prompt, Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty());
    }
}
