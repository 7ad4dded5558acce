package io.execstream.cli;

import io.execstream.client.AgentRequest;
import io.execstream.client.ExecStreamClient;
import io.execstream.client.ExecStreamException;
import io.execstream.client.StartedStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code execstream chat [flags] PROJECT [PROMPT]}: a line-based conversation with a coding
 * agent's live session on a server. It starts the session with PROMPT (or the first line read),
 * then hands over to a {@link ChatSession}, which sends each further line as a message (or, with
 * {@code --approvals}, as the answer to the request for permission it asks) and prints the
 * agent's replies until the session ends.
 */
final class ChatCommand {
    static final String HELP = """
            Usage: execstream chat [flags] PROJECT [PROMPT]

            Talks with a coding agent in PROJECT on a server, in a live session: the agent answers
            PROMPT (or the first line you type), then each further line you type is a message, which
            the agent answers as its next turn (a message typed while a turn runs waits for it).
            The agent's replies are printed as text, each tool it uses as one short line, and a line
            per turn with its cost; "> " shows when the agent waits for you.

            Ctrl-C during a turn interrupts it: the session goes on and waits for your next line.
            Ctrl-C again within 2 s, or Ctrl-C while the agent waits, closes the session (exit 130).
            Ctrl-D (end of input) closes the session once the current turn has ended.

            With --approvals the agent asks before a tool call its rules do not allow, instead of
            being refused. Each request is printed with its tool, its input and its id, followed by
            "allow? [y/N/message]": the next line you type answers it instead of being a message.
            y or yes allows the call; an empty line or n denies it; any other text denies it and
            tells the agent that text. Several requests are asked one at a time, oldest first. A
            request settled elsewhere (answered by someone else, timed out, withdrawn) is no longer
            asked; a note says how it ended. Unanswered requests are denied after --approval-timeout.

            Flags (each also read from the environment variable in brackets):
              --server URL           the execstream server, e.g. http://127.0.0.1:8080 [EXECSTREAM_URL]
              --api-key KEY          the API key for the server [EXECSTREAM_API_KEY]
              --provider NAME        the agent: claude-code (default) or opencode, or another the server has
              --model MODEL          the model, as the agent names it (claude-sonnet-4-5; anthropic/... for opencode)
              --idle-timeout DURATION  close the session after waiting this long for a message:
                                     500ms, 30s, 5m, 1h (at most 24h); default: the server's (10m)
              --timeout DURATION     stop the whole session after this long; default: the server's agent timeout
              --approvals            ask me before a tool call the agent's rules do not allow (see above)
              --approval-timeout DURATION  deny a request no one answered after this long (with --approvals;
                                     at most 24h); default: the server's (5m)

            Exit code: 0 the session ended (Ctrl-D, or idle); the agent's exit code if it was not 0,
              1 if the agent reported an error; 130 closed with Ctrl-C, or cancelled; 124 it ran past
              --timeout; 125 it could not be started or followed (refused by the server, server
              unreachable, stream lost); 2 the command line was wrong.
            """;
    static final String DEFAULT_PROVIDER = "claude-code";
    private static final Set<String> FLAGS = Set.of("server", "api-key", "provider", "model", "idle-timeout", "timeout",
            "approval-timeout");
    private static final Set<String> SWITCHES = Set.of("approvals");

    private ChatCommand() {
    }

    static int run(List<String> args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
                   Consumer<Runnable> onInterrupt) {
        CliArgs a = CliArgs.parse(args, FLAGS, SWITCHES, 2);
        if (a.help()) {
            out.print(HELP);
            return 0;
        }
        if (a.positional().isEmpty()) {
            throw new CliArgs.UsageException("give a project: chat PROJECT [PROMPT]");
        }
        String server = a.value("server", env, "EXECSTREAM_URL");
        if (server == null) {
            throw new CliArgs.UsageException("chat talks to a live session on a server: give --server URL (or set EXECSTREAM_URL)");
        }
        String project = a.positional().get(0);
        List<String> words = new ArrayList<>(a.positional().subList(1, a.positional().size()));
        words.addAll(a.rest());
        String provider = a.value("provider", env, null);
        Duration approvalTimeout = a.duration("approval-timeout");
        if (approvalTimeout != null && !a.has("approvals")) {
            throw new CliArgs.UsageException("--approval-timeout is for a session with approvals: add --approvals");
        }
        Options options = new Options(provider == null ? DEFAULT_PROVIDER : provider, a.value("model", env, null),
                a.duration("idle-timeout"), a.duration("timeout"), a.has("approvals"), approvalTimeout);
        options.request("check"); // a wrong flag is told before anything is read
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String prompt = words.isEmpty() ? firstLine(lines, out) : String.join(" ", words);
        String apiKey = a.value("api-key", env, "EXECSTREAM_API_KEY");
        try (ExecStreamClient client = Cli.client(server).apiKey(apiKey).build()) {
            RequestFailures failures = new RequestFailures(client.baseUri(), apiKey != null && !apiKey.isEmpty(), false);
            StartedStream started;
            try {
                started = client.startAgent(project, options.request(prompt));
            } catch (ExecStreamException e) {
                err.println("execstream: " + failures.describe(e));
                return ExitCodes.NOT_RUN;
            }
            ChatSession chat = new ChatSession(client, project, started.streamId(), Transcript.of(options.provider()),
                    failures, out, err);
            onInterrupt.accept(chat::press);
            client.follow(started, chat);
            chat.readMessages(lines);
            return Cli.await(chat.exitCode());
        }
    }

    /** The first prompt, typed: the first line that is not blank. */
    private static String firstLine(BufferedReader lines, PrintStream out) {
        out.print(ChatSession.PROMPT_MARKER);
        out.flush();
        try {
            for (String line; (line = lines.readLine()) != null; ) {
                if (!line.isBlank()) {
                    return line;
                }
            }
        } catch (IOException e) {
            throw new CliArgs.UsageException("reading the prompt from stdin failed: " + e.getMessage());
        }
        out.println();
        throw new CliArgs.UsageException("nothing to ask: give a PROMPT after the project, or type one");
    }

    /** The flags that shape the session. */
    private record Options(String provider, String model, Duration idleTimeout, Duration timeout, boolean approvals,
                           Duration approvalTimeout) {
        /** The request that starts the session with {@code prompt}. */
        AgentRequest request(String prompt) {
            try {
                AgentRequest request = AgentRequest.interactive(provider, prompt);
                request = model == null ? request : request.withModel(model);
                request = idleTimeout == null ? request : request.withIdleTimeout(idleTimeout);
                request = !approvals ? request : approvalTimeout == null ? request.withApprovals()
                        : request.withApprovalTimeout(approvalTimeout);
                return timeout == null ? request : request.withTimeout(timeout);
            } catch (IllegalArgumentException e) {
                throw new CliArgs.UsageException(e.getMessage());
            }
        }
    }
}
