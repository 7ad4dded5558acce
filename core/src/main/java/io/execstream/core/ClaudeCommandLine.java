package io.execstream.core;

import io.execstream.domain.ClaudePrompt;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The argv of a headless Claude Code run. */
final class ClaudeCommandLine {
    private ClaudeCommandLine() {
    }

    /**
     * {@code claude -p --output-format stream-json --verbose [--resume S] [--model M]
     * [--max-turns N] -- PROMPT}. The prompt comes last, after {@code --}, so a prompt that
     * starts with {@code -} is still read as the prompt and never as an option.
     */
    static CommandSpec of(String claudeBinary, ClaudePrompt prompt) {
        List<String> argv = new ArrayList<>(List.of(claudeBinary, "-p", "--output-format", "stream-json", "--verbose"));
        prompt.sessionId().ifPresent(id -> argv.addAll(List.of("--resume", id)));
        prompt.model().ifPresent(model -> argv.addAll(List.of("--model", model)));
        prompt.maxTurns().ifPresent(turns -> argv.addAll(List.of("--max-turns", Integer.toString(turns))));
        argv.add("--");
        argv.add(prompt.prompt());
        return new CommandSpec(new CommandLine.Argv(argv), Map.of(), prompt.timeout());
    }
}
