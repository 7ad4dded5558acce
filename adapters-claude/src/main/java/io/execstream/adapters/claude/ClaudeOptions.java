package io.execstream.adapters.claude;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Claude Code CLI's own options, and its rules: what {@link ClaudeCodeAgent#validate} checks
 * before a run starts, so that no value can be read as another command-line option.
 *
 * <p>In an {@link AgentPrompt} they travel as {@linkplain AgentPrompt#options() options} named as
 * the HTTP API's fields of {@code POST /projects/{project}/claude}: {@value #MAX_TURNS_OPTION},
 * {@value #ALLOWED_TOOLS_OPTION} and {@value #PERMISSION_MODE_OPTION}. {@link #asMap()} builds
 * them; {@link #of(AgentPrompt)} reads and checks them.
 *
 * @param maxTurns       the most turns the run may take, 1 to {@value #MAX_TURNS}
 * @param allowedTools   tool rules such as {@code Bash(git log:*)} or {@code Edit}, at most
 *                       {@value #MAX_TOOLS}; empty for the CLI's default
 * @param permissionMode a mode such as {@code acceptEdits}, {@code plan} or {@code dontAsk}: a
 *                       {@linkplain #PERMISSION_MODE safe token}, which the CLI itself accepts or
 *                       refuses (its list changes between versions)
 */
public record ClaudeOptions(OptionalInt maxTurns, List<String> allowedTools, Optional<String> permissionMode) {
    /** The option giving the turn limit, {@code --max-turns}: a whole number. */
    public static final String MAX_TURNS_OPTION = "max_turns";
    /** The option giving the tools allowed without asking, {@code --allowedTools}: an array of strings. */
    public static final String ALLOWED_TOOLS_OPTION = "allowed_tools";
    /** The option giving the permission mode, {@code --permission-mode}: a string. */
    public static final String PERMISSION_MODE_OPTION = "permission_mode";
    /** Every option the agent takes. */
    public static final Set<String> NAMES = Set.of(MAX_TURNS_OPTION, ALLOWED_TOOLS_OPTION, PERMISSION_MODE_OPTION);
    /** The most turns a run may ask for. */
    public static final int MAX_TURNS = 1000;
    /** The most allowed-tool rules a run may give. */
    public static final int MAX_TOOLS = 100;
    /**
     * What a permission mode may look like: a letter, then up to 63 letters, digits, '_' or '-'.
     * Only the shape is checked, so that the value cannot be read as another option; which modes
     * exist is the CLI's to say (2.1.332 takes {@code acceptEdits}, {@code auto},
     * {@code bypassPermissions}, {@code manual}, {@code dontAsk} and {@code plan}), and it refuses
     * an unknown one itself: the run fails with the CLI's message on stderr.
     */
    public static final Pattern PERMISSION_MODE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    /**
     * The longest prompt the agent takes, in bytes of UTF-8. The prompt travels as one
     * command-line argument, and Linux refuses any single argument of 128 KiB or more
     * ({@code MAX_ARG_STRLEN}); a NUL would end it early, so none is taken either.
     */
    public static final int MAX_PROMPT_BYTES = 120_000;

    /**
     * The permission modes under which the CLI asks no one before a tool call: {@code dontAsk}
     * refuses every call its rules do not allow, {@code bypassPermissions} allows every call (and is
     * refused as root). A session with approvals would never ask, so the two do not go together.
     */
    public static final Set<String> MODES_THAT_NEVER_ASK = Set.of("dontAsk", "bypassPermissions");

    /** A tool name, optionally with a rule in parentheses: {@code Bash(npm run test:*)}. */
    private static final Pattern TOOL = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,127}(\\([^()\\p{Cntrl}]{1,256}\\))?");

    public ClaudeOptions {
        maxTurns = maxTurns == null ? OptionalInt.empty() : maxTurns;
        allowedTools = allowedTools == null ? List.of() : List.copyOf(allowedTools);
        permissionMode = permissionMode == null ? Optional.empty() : permissionMode;
        if (maxTurns.isPresent() && (maxTurns.getAsInt() < 1 || maxTurns.getAsInt() > MAX_TURNS)) {
            throw invalid(MAX_TURNS_OPTION + " must be a whole number from 1 to " + MAX_TURNS);
        }
        if (allowedTools.size() > MAX_TOOLS || !allowedTools.stream().allMatch(t -> TOOL.matcher(t).matches())) {
            throw invalid(ALLOWED_TOOLS_OPTION + " must be at most " + MAX_TOOLS + " tool names such as Edit or Bash(git log:*)");
        }
        if (permissionMode.isPresent() && !PERMISSION_MODE.matcher(permissionMode.get()).matches()) {
            throw invalid(PERMISSION_MODE_OPTION + " must be 1 to 64 letters, digits, '_' or '-', starting with a letter,"
                    + " such as acceptEdits or plan");
        }
    }

    /** No options: the CLI's defaults. */
    public static final ClaudeOptions NONE = new ClaudeOptions(OptionalInt.empty(), List.of(), Optional.empty());

    /**
     * The options of {@code prompt}, checked, with the agent's limit on the prompt itself.
     *
     * @throws InvalidInputException ({@code invalid_request}) for a prompt over
     *                               {@value #MAX_PROMPT_BYTES} bytes or with NUL, an option the
     *                               agent does not take, a value it refuses, or approvals with a
     *                               permission mode that never asks ({@link #MODES_THAT_NEVER_ASK})
     */
    public static ClaudeOptions of(AgentPrompt prompt) {
        String text = prompt.prompt();
        if (text.length() > MAX_PROMPT_BYTES || text.indexOf('\0') >= 0
                || text.getBytes(StandardCharsets.UTF_8).length > MAX_PROMPT_BYTES) {
            throw invalid("prompt must be at most " + MAX_PROMPT_BYTES + " bytes of UTF-8, without NUL");
        }
        Map<String, Object> options = prompt.options();
        for (String name : options.keySet()) {
            if (!NAMES.contains(name)) {
                throw invalid(ClaudeCodeAgent.PROVIDER + " takes no option '" + name + "'; its options are "
                        + String.join(", ", NAMES.stream().sorted().toList()));
            }
        }
        ClaudeOptions checked = new ClaudeOptions(turns(options.get(MAX_TURNS_OPTION)),
                tools(options.get(ALLOWED_TOOLS_OPTION)), mode(options.get(PERMISSION_MODE_OPTION)));
        checked.permissionMode().filter(MODES_THAT_NEVER_ASK::contains).filter(mode -> prompt.approvals())
                .ifPresent(mode -> {
                    throw invalid(PERMISSION_MODE_OPTION + " " + mode + " never asks for permission, so it cannot go with"
                            + " \"approvals\": true; leave permission_mode out (or use default, acceptEdits, plan or"
                            + " auto), and list the tools that need no approval in allowed_tools");
                });
        return checked;
    }

    /** These options as {@link AgentPrompt#options()}, for {@link AgentPrompt#withOptions}. */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        maxTurns.ifPresent(turns -> map.put(MAX_TURNS_OPTION, turns));
        if (!allowedTools.isEmpty()) {
            map.put(ALLOWED_TOOLS_OPTION, allowedTools);
        }
        permissionMode.ifPresent(mode -> map.put(PERMISSION_MODE_OPTION, mode));
        return map;
    }

    private static OptionalInt turns(Object value) {
        if (value == null) {
            return OptionalInt.empty();
        }
        // A whole number beyond int's range (a Long, a BigInteger) is beyond MAX_TURNS as well.
        if (value instanceof Integer i) {
            return OptionalInt.of(i);
        }
        throw invalid(MAX_TURNS_OPTION + " must be a whole number from 1 to " + MAX_TURNS);
    }

    private static List<String> tools(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw invalid(ALLOWED_TOOLS_OPTION + " must be an array of strings");
        }
        List<String> tools = new ArrayList<>(list.size());
        for (Object element : list) {
            if (!(element instanceof String tool)) {
                throw invalid(ALLOWED_TOOLS_OPTION + " must be an array of strings");
            }
            tools.add(tool);
        }
        return tools;
    }

    private static Optional<String> mode(Object value) {
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String mode)) {
            throw invalid(PERMISSION_MODE_OPTION + " must be a string");
        }
        return Optional.of(mode);
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException(ErrorCode.INVALID_REQUEST, message);
    }
}
