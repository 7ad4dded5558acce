package io.execstream.server;

import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.core.ExecStream;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.ProjectId;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CodeAgent;
import io.execstream.ports.CommandExit;
import io.execstream.ports.PermissionAsk;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.RunningSession;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A coding agent of live sessions whose turns end when the test says so ({@link Session#endTurn}),
 * so that a test sees a session working, queueing and idle through the HTTP API. It stands in for
 * a real agent's process: what the core asks of it (send, interrupt, end, terminate) is recorded,
 * and it reports turns, a result with the run's and the session's cost, and its exit as an agent
 * does. Each turn costs {@link #TURN_COST}; the session had cost {@link #EARLIER_COST} before.
 * Its sessions can ask for permission ({@link Session#ask}) and record the answers as calls.
 */
final class StandInSessionAgent implements CodeAgent {
    static final String PROVIDER = "stand-in";
    static final double TURN_COST = 0.25;
    static final double EARLIER_COST = 1.0;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<Session> sessions = new CopyOnWriteArrayList<>();

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public AgentCapabilities capabilities() {
        return new AgentCapabilities(true, true, true, List.of(), Set.of(), true, true);
    }

    @Override
    public RunningCommand start(ProjectId project, AgentPrompt prompt, AgentListener listener) {
        Session session = new Session(listener, "session-" + (sessions.size() + 1), prompt.prompt());
        sessions.add(session);
        listener.onSession(session.id);
        return session;
    }

    /**
     * A server whose service runs commands with the local runner (workspaces under {@code dir})
     * and this agent's live sessions, on the transport under test.
     */
    TestServer serve(Path dir) {
        InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
        ExecStream service = ExecStream.builder(LocalCommandRunner.builder().workspaceRoot(dir.resolve("workspaces")).build(),
                        publisher)
                .agent(this)
                .shutdownHook(false)
                .build();
        return TestServer.around(service, dir, publisher);
    }

    /** The session started {@code n}-th (from 1), once it has started. */
    Session session(int n) {
        await(() -> sessions.size() >= n, () -> "session " + n + " never started; " + sessions.size() + " did");
        return sessions.get(n - 1);
    }

    /** One live session: a turn runs for each prompt it holds, in order, until the test ends it. */
    static final class Session implements RunningSession {
        private final AgentListener listener;
        private final String id;
        /** What the core asked, in order: "send PROMPT", "interrupt", "end", "terminate". */
        final List<String> calls = new CopyOnWriteArrayList<>();
        // Guarded by this:
        private final List<String> prompts = new ArrayList<>();
        private int turnsEnded;
        private boolean ending;
        private boolean over;

        Session(AgentListener listener, String id, String first) {
            this.listener = listener;
            this.id = id;
            prompts.add(first);
        }

        @Override
        public synchronized void send(String prompt) throws IOException {
            calls.add("send " + prompt);
            if (ending || over) {
                throw new IOException("the session takes no more messages");
            }
            prompts.add(prompt);
        }

        @Override
        public synchronized void interrupt() throws IOException {
            calls.add("interrupt");
            if (over) {
                throw new IOException("the session has ended");
            }
            if (running()) {
                finishTurn("error_during_execution", true);
            }
        }

        @Override
        public synchronized void end() {
            calls.add("end");
            ending = true;
            if (!running()) {
                exit(0);
            }
        }

        @Override
        public void terminate() {
            calls.add("terminate");
            // As a process's exit after its signal: later, on a thread of its own.
            Thread exit = new Thread(() -> {
                synchronized (this) {
                    exit(143);
                }
            }, "stand-in-exit");
            exit.setDaemon(true);
            exit.start();
        }

        /**
         * Has the turn that runs ask whether {@code tool} may run with {@code inputJson}, under
         * the agent's id {@code agentRequestId}: its own event first, as Claude's
         * {@code control_request}, then the request. The answer comes as a call
         * ({@code "answer ID allow [INPUT]"} or {@code "answer ID deny[: MESSAGE]"}).
         */
        synchronized void ask(String agentRequestId, String tool, String inputJson) {
            if (!running()) {
                throw new IllegalStateException("no turn runs");
            }
            listener.onAgentEvent("{\"type\":\"control_request\",\"request_id\":\"" + agentRequestId
                    + "\",\"request\":{\"subtype\":\"can_use_tool\",\"tool_name\":\"" + tool + "\",\"input\":" + inputJson + "}}");
            listener.onPermissionRequest(new PermissionAsk(agentRequestId, tool, inputJson, null));
        }

        /** Has the agent no longer wait for its request {@code agentRequestId}, as after an interrupt. */
        synchronized void withdraw(String agentRequestId) {
            listener.onPermissionWithdrawn(agentRequestId);
        }

        @Override
        public void answerPermission(String agentRequestId, PermissionDecision decision) throws IOException {
            calls.add("answer " + agentRequestId + " " + decision.verdict().wireName()
                    + (decision.updatedInputJson() == null ? "" : " " + decision.updatedInputJson())
                    + (decision.message() == null ? "" : ": " + decision.message()));
        }

        /** Waits until the core has made a call that starts with {@code prefix}; returns it. */
        String awaitCallStartingWith(String prefix) {
            await(() -> calls.stream().anyMatch(c -> c.startsWith(prefix)), () -> "no call " + prefix + "...; asked " + calls);
            return calls.stream().filter(c -> c.startsWith(prefix)).findFirst().orElseThrow();
        }

        /** The session's id, as the agent named it. */
        String id() {
            return id;
        }

        /** Has the turn that runs reply {@code text}, as an agent's stream-json {@code assistant} event. */
        synchronized void say(String text) {
            if (!running()) {
                throw new IllegalStateException("no turn runs");
            }
            listener.onAgentEvent("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\""
                    + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}]}}");
        }

        /** Ends the turn that runs, as a success; the next prompt's turn starts if there is one. */
        synchronized void endTurn() {
            if (!running()) {
                throw new IllegalStateException("no turn runs");
            }
            finishTurn("success", false);
        }

        /** Waits until the core has asked for {@code call} (e.g. {@code "end"}). */
        void awaitCall(String call) {
            await(() -> calls.contains(call), () -> "never asked to " + call + "; asked " + calls);
        }

        /** Waits until the session holds {@code n} prompts: the first and {@code n - 1} sent. */
        void awaitPrompts(int n) {
            await(() -> prompts() >= n, () -> "holds " + prompts() + " prompts, not " + n);
        }

        private synchronized int prompts() {
            return prompts.size();
        }

        private boolean running() {
            return !over && turnsEnded < prompts.size();
        }

        private void finishTurn(String subtype, boolean isError) {
            turnsEnded++;
            double runCost = turnsEnded * TURN_COST;
            listener.onAgentEvent("{\"type\":\"result\",\"subtype\":\"" + subtype + "\",\"num_turns\":" + turnsEnded + "}");
            listener.onTurn(new AgentTurn(turnsEnded, subtype, isError, TURN_COST, runCost,
                    "{\"output_tokens\":" + (10 * turnsEnded) + "}", 5L));
            if (ending && !running()) {
                exit(0);
            }
        }

        private void exit(int code) {
            if (over) {
                return;
            }
            over = true;
            double runCost = turnsEnded * TURN_COST;
            if (code == 0) {
                listener.onResult(new AgentResult(id, false, "success", turnsEnded, runCost, null,
                        EARLIER_COST + runCost));
            }
            listener.onExit(new CommandExit.Exited(code));
        }
    }

    private static void await(BooleanSupplier condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // poll interval, not a wait for the condition
        }
    }
}
