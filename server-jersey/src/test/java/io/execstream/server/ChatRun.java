package io.execstream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Checks a chat of two turns that ended at end of input: exit 0, both replies in order, a line per turn. */
    void assertTwoTurns(String firstReply, String secondReply) {
        assertEquals(0, exit, this::toString);
        int first = out.indexOf(firstReply);
        int second = out.indexOf(secondReply);
        assertTrue(first >= 0 && second > first, this::toString);
        assertTrue(out.contains("[turn 1 ended") && out.contains("[turn 2 ended"), this::toString);
    }

    @Override
    public String toString() {
        return out + err + "(exit " + exit + ")";
    }
}
