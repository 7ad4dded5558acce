package io.execstream.adapters.claude;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CodeAgent;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs the Claude Code CLI headless ({@code claude -p ... --output-format stream-json --verbose})
 * through any {@link CommandRunner}: a local process, {@code kubectl exec} into a pod, and so on.
 *
 * <h2>The command</h2>
 * Always an argument vector, never a shell:
 * <pre>
 * BINARY -p --output-format stream-json --verbose
 *        [--resume SESSION] [--model MODEL] [--max-turns N]
 *        [--allowedTools TOOL,TOOL...] [--permission-mode MODE]
 *        -- PROMPT
 * </pre>
 * The prompt comes last, after {@code --}, so a prompt that starts with {@code -} is still a prompt
 * (and the variadic {@code --allowedTools} cannot swallow it). The session and model were checked
 * by {@link AgentPrompt}, the rest by {@link ClaudeOptions}, so none of them can be read as an
 * option. The {@link CommandSpec} has the {@linkplain Builder#env environment} the agent was built
 * with and the prompt's timeout, which the caller enforces.
 *
 * <h2>Live sessions</h2>
 * For an {@linkplain AgentPrompt#interactive() interactive} prompt the command is
 * <pre>
 * BINARY -p --input-format stream-json --output-format stream-json --verbose [the options above]
 *        [--permission-prompt-tool stdio]
 * </pre>
 * with no prompt argument and its stdin kept open ({@link CommandSpec#stdin()}): the first prompt
 * and each follow-up go in as {@code user} lines, an interrupt as a {@code control_request}, and
 * the end closes stdin once the turns sent have ended (see {@link ClaudeSession}). {@code start} returns a
 * {@link io.execstream.ports.RunningSession}. Each {@code result} line ends a turn
 * ({@link AgentListener#onTurn}); the run's totals come as {@code onResult} when the process has
 * ended. The runner must honour {@link CommandSpec#stdin()}; one that gives no stdin gets its
 * command stopped at once.
 *
 * <h2>Approvals</h2>
 * A live session whose prompt has {@linkplain AgentPrompt#approvals() approvals} runs the CLI with
 * {@code --permission-prompt-tool stdio}: before a tool call that neither {@code allowed_tools}
 * nor the permission mode allows, it writes a {@code control_request} of subtype
 * {@code can_use_tool} and waits. That line stays an agent event; after it the listener gets
 * {@link AgentListener#onPermissionRequest} under the CLI's {@code request_id}, and
 * {@link io.execstream.ports.RunningSession#answerPermission} writes the {@code control_response}.
 * When the CLI withdraws a request (an interrupt stopped its turn: {@code control_cancel_request})
 * the listener gets {@link AgentListener#onPermissionWithdrawn}. {@link ClaudeOptions#of} refuses
 * approvals with a permission mode under which the CLI asks no one ({@code dontAsk},
 * {@code bypassPermissions}).
 *
 * <h2>Costs</h2>
 * The CLI's {@code total_cost_usd} is cumulative, for the process and for the session (a
 * {@code --resume} run's figure includes what the earlier runs cost). The result's
 * {@code totalCostUsd} is what this run cost, from each result's
 * {@code model_usage_since_last_result}; {@code sessionCostUsd} is the CLI's cumulative figure.
 *
 * <h2>Its rules</h2>
 * The CLI's options ({@code max_turns}, {@code allowed_tools}, {@code permission_mode}) travel as
 * the prompt's {@linkplain AgentPrompt#options() options}; {@link #capabilities()} declares their
 * names and {@link #validate} checks them, and the prompt's length, with {@link ClaudeOptions}.
 * The core calls {@code validate} before a stream opens, so a bad value is a 400
 * {@code invalid_request} and nothing runs. Its {@link #alias()} is {@value #ALIAS}: the HTTP API's
 * {@code POST /projects/{project}/claude}, which takes those options as body fields.
 *
 * <h2>What the listener gets</h2>
 * Every raw {@code onOutput} call, unchanged. In addition each complete line of stdout is parsed
 * as JSON: an object becomes {@link AgentListener#onAgentEvent} (re-serialized in compact form,
 * so always one line); the {@code session_id} it carries, when it differs from the last one,
 * becomes {@link AgentListener#onSession} (the {@code system}/{@code init} line names it first), so
 * a run cancelled before its result can still be resumed; and the first object whose {@code type}
 * is {@code result} also becomes {@link AgentListener#onResult} (for a one-prompt run; a live
 * session's ends turns, as above). A non-blank line that is not a JSON object, or is longer than
 * 16 MiB, becomes the event
 * {@code {"type":"execstream","subtype":"unparsed_line","bytes":N,"reason":R}} instead (R is
 * {@code invalid_json}, {@code not_an_object} or {@code too_long}); blank lines are skipped.
 * A last line without a newline is parsed when the command exits, just before {@code onExit}.
 * A run that ends without a {@code result} line gets no {@code onResult}.
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class ClaudeCodeAgent implements CodeAgent {

    /** The provider name of this agent. */
    public static final String PROVIDER = "claude-code";
    /** The agent's route under {@code /projects/{project}/}, which also takes its options. */
    public static final String ALIAS = "claude";
    /** The longest stdout line parsed, in bytes; longer lines are dropped. */
    static final int DEFAULT_MAX_LINE_BYTES = 16 << 20;

    private static final AgentCapabilities CAPABILITIES =
            new AgentCapabilities(true, true, true, List.of(), ClaudeOptions.NAMES, true, true);

    private final CommandRunner runner;
    private final String binary;
    private final int maxLineBytes;
    private final Map<String, String> env;

    private ClaudeCodeAgent(Builder builder) {
        this.runner = builder.runner;
        this.binary = builder.binary;
        this.maxLineBytes = builder.maxLineBytes;
        this.env = builder.env;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public AgentCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Checks the prompt's options and its length with {@link ClaudeOptions#of}.
     *
     * @throws io.execstream.domain.InvalidInputException ({@code invalid_request}) for a prompt over
     *         {@value ClaudeOptions#MAX_PROMPT_BYTES} bytes or with NUL, an option the CLI does not
     *         take, or a value it refuses
     */
    @Override
    public void validate(AgentPrompt prompt) {
        ClaudeOptions.of(prompt);
    }

    @Override
    public Optional<String> alias() {
        return Optional.of(ALIAS);
    }

    @Override
    public RunningCommand start(ProjectId project, AgentPrompt prompt, AgentListener listener) {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(listener, "listener");
        CommandSpec spec;
        try {
            spec = spec(prompt);
        } catch (InvalidInputException e) {
            // Cannot happen for a prompt validate accepted (its limits keep the argv in bounds), but
            // a caller may skip validate, and a run that cannot start is reported, never thrown.
            listener.onExit(new CommandExit.FailedToStart("cannot build the claude command: " + e.getMessage()));
            return prompt.interactive() ? ClaudeSession.ended() : () -> { };
        }
        boolean resumed = prompt.sessionId().isPresent();
        if (!prompt.interactive()) {
            return runner.start(project, spec, StreamJsonListener.oneShot(listener, maxLineBytes, resumed));
        }
        ClaudeSession session = new ClaudeSession(prompt.approvals());
        RunningCommand command = runner.start(project, spec,
                StreamJsonListener.session(listener, maxLineBytes, resumed, session));
        session.attach(command, prompt.prompt());
        return session;
    }

    /** The command run for {@code prompt}: with its stdin kept open for a live session. */
    CommandSpec spec(AgentPrompt prompt) {
        return new CommandSpec(new CommandLine.Argv(argv(binary, prompt, ClaudeOptions.of(prompt))), env, prompt.timeout(),
                prompt.interactive());
    }

    /** The argument vector run for {@code prompt}. */
    static List<String> argv(String binary, AgentPrompt prompt, ClaudeOptions options) {
        List<String> argv = new ArrayList<>(16);
        argv.add(binary);
        argv.add("-p");
        if (prompt.interactive()) {
            argv.add("--input-format");
            argv.add("stream-json");
        }
        argv.add("--output-format");
        argv.add("stream-json");
        argv.add("--verbose");
        prompt.sessionId().ifPresent(session -> {
            argv.add("--resume");
            argv.add(session);
        });
        prompt.model().ifPresent(model -> {
            argv.add("--model");
            argv.add(model);
        });
        options.maxTurns().ifPresent(turns -> {
            argv.add("--max-turns");
            argv.add(Integer.toString(turns));
        });
        if (!options.allowedTools().isEmpty()) {
            argv.add("--allowedTools");
            argv.add(String.join(",", options.allowedTools()));
        }
        options.permissionMode().ifPresent(mode -> {
            argv.add("--permission-mode");
            argv.add(mode);
        });
        if (prompt.approvals()) {
            // Ask the host (this process, on stdout) instead of refusing what the rules do not allow.
            argv.add("--permission-prompt-tool");
            argv.add("stdio");
        }
        if (!prompt.interactive()) {
            // A live session's prompts come on stdin, as stream-json lines.
            argv.add("--");
            argv.add(prompt.prompt());
        }
        return argv;
    }

    /** Configures a {@link ClaudeCodeAgent}; {@link #runner} is required. */
    public static final class Builder {
        private CommandRunner runner;
        private String binary = "claude";
        private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
        private Map<String, String> env = Map.of();

        private Builder() {
        }

        /**
         * Variables added to the CLI's environment (over the runner's), e.g.
         * {@code ANTHROPIC_BASE_URL} to point it at another model API, without changing the
         * server's own environment. Replaces what an earlier call gave; default none.
         *
         * @throws IllegalArgumentException for a name or value a command's environment cannot
         *                                  hold (see {@link CommandSpec#env()})
         */
        public Builder env(Map<String, String> env) {
            Objects.requireNonNull(env, "env");
            try {
                this.env = CommandSpec.of(new CommandLine.Argv(List.of("claude"))).withEnv(env).env();
            } catch (InvalidInputException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            return this;
        }

        /** Where the CLI runs: a local runner, a kubectl runner, any other. */
        public Builder runner(CommandRunner runner) {
            this.runner = Objects.requireNonNull(runner, "runner");
            return this;
        }

        /**
         * The Claude Code executable, as the runner resolves programs (on the {@code PATH} of the
         * project's environment, or a path); default {@code claude}.
         */
        public Builder binary(String binary) {
            Objects.requireNonNull(binary, "binary");
            if (binary.isBlank() || binary.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("binary must be a non-blank program name or path without NUL");
            }
            this.binary = binary;
            return this;
        }

        /** The longest stdout line parsed; for tests. */
        Builder maxLineBytes(int maxLineBytes) {
            if (maxLineBytes < 1) {
                throw new IllegalArgumentException("maxLineBytes must be positive");
            }
            this.maxLineBytes = maxLineBytes;
            return this;
        }

        public ClaudeCodeAgent build() {
            if (runner == null) {
                throw new IllegalStateException("runner is required");
            }
            return new ClaudeCodeAgent(this);
        }
    }
}
