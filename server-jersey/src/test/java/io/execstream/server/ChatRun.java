package io.execstream.server;

import io.execstream.cli.Cli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One {@code execstream chat} run in this JVM against a test server: its first prompt, the lines
 * typed after it (then end of input), what it printed and its exit code. The run is written to
 * {@code target/transcripts/}, as the session transcripts are.
 *
 * @param out  what it printed on stdout: the agent's replies and a line per turn
 * @param err  what it printed on stderr: its own notes
 * @param exit its exit code
 */
record ChatRun(String out, String err, int exit) {

    /** Runs {@code chat --provider provider project prompt} with {@code typed} as its stdin; saves it as {@code transcript}. */
    static ChatRun run(TestServer server, String provider, String project, String prompt, String typed, String transcript) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Cli.run(List.of("chat", "--server", server.baseUri().toString(), "--api-key", server.apiKey(),
                        "--provider", provider, project, prompt), Map.of(),
                new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                onExit -> { });
        ChatRun run = new ChatRun(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), exit);
        LiveTranscript.saveText(transcript, "$ execstream chat --provider " + provider + " PROJECT '" + prompt + "' <<< '"
                + typed.strip() + "'\n" + run.out + run.err + "(exit " + exit + ")\n");
        return run;
    }

    @Override
    public String toString() {
        return out + err + "(exit " + exit + ")";
    }
}
