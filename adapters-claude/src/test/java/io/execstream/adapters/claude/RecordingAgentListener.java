package io.execstream.adapters.claude;

import static org.junit.jupiter.api.Assertions.fail;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.OutputType;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CommandExit;
import io.execstream.ports.PermissionAsk;
import io.execstream.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link AgentListener} for tests: records what {@link RecordingListener} records, plus each
 * agent event (with the thread it came on and how many stdout bytes had been delivered before it)
 * the sessions named and the result, and notes breaches of the {@link io.execstream.ports.CodeAgent} contract:
 * an event or result after the exit or during a stdout {@code onOutput}, a second result, an event
 * that is not on one line. Requests for permission and their withdrawals are recorded with how
 * many events had come before each.
 */
class RecordingAgentListener extends RecordingListener implements AgentListener {

    private final List<String> events = new ArrayList<>();
    private final List<String> eventThreads = new ArrayList<>();
    private final List<Long> stdoutBytesBeforeEvent = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final List<AgentResult> results = new ArrayList<>();
    private final List<String> sessions = new ArrayList<>();
    private final List<AgentTurn> turns = new ArrayList<>();
    /** How many events had come when each turn ended. */
    private final List<Integer> eventsBeforeTurn = new ArrayList<>();
    private final List<PermissionAsk> asks = new ArrayList<>();
    private final List<Integer> eventsBeforeAsk = new ArrayList<>();
    private final List<String> withdrawn = new ArrayList<>();
    private final List<Integer> eventsBeforeWithdrawal = new ArrayList<>();
    private long stdoutBytes;
    private boolean inStdout;
    private boolean exited;
    private int eventsBeforeResult = -1;

    @Override
    public void onOutput(OutputType type, ByteBuffer bytes) {
        if (type == OutputType.STDOUT) {
            synchronized (this) {
                inStdout = true;
            }
        }
        super.onOutput(type, bytes);
    }

    @Override
    protected void afterOutput(OutputType type, byte[] bytes) {
        if (type == OutputType.STDOUT) {
            synchronized (this) {
                stdoutBytes += bytes.length;
                inStdout = false;
            }
        }
    }

    @Override
    public synchronized void onAgentEvent(String json) {
        check("onAgentEvent");
        if (json == null || json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
            violations.add("an agent event that is not one line: " + json);
        }
        events.add(json);
        eventThreads.add(Thread.currentThread().getName());
        stdoutBytesBeforeEvent.add(stdoutBytes);
        notifyAll();
    }

    @Override
    public synchronized void onTurn(AgentTurn turn) {
        check("onTurn");
        if (!results.isEmpty()) {
            violations.add("onTurn after onResult: " + turn);
        }
        turns.add(turn);
        eventsBeforeTurn.add(events.size());
        notifyAll();
    }

    @Override
    public synchronized void onPermissionRequest(PermissionAsk ask) {
        check("onPermissionRequest");
        asks.add(ask);
        eventsBeforeAsk.add(events.size());
        notifyAll();
    }

    @Override
    public synchronized void onPermissionWithdrawn(String agentRequestId) {
        check("onPermissionWithdrawn");
        withdrawn.add(agentRequestId);
        eventsBeforeWithdrawal.add(events.size());
        notifyAll();
    }

    /** Waits until {@code count} turns have ended, and returns them all. */
    synchronized List<AgentTurn> awaitTurns(int count, Duration timeout) {
        awaitCount(turns, count, timeout, "turns ended");
        return List.copyOf(turns);
    }

    /** Waits until {@code count} requests for permission have come, and returns them all. */
    synchronized List<PermissionAsk> awaitAsks(int count, Duration timeout) {
        awaitCount(asks, count, timeout, "requests for permission came");
        return List.copyOf(asks);
    }

    /** Waits until {@code count} requests have been withdrawn, and returns their ids. */
    synchronized List<String> awaitWithdrawn(int count, Duration timeout) {
        awaitCount(withdrawn, count, timeout, "requests were withdrawn");
        return List.copyOf(withdrawn);
    }

    /** Called holding this: waits until {@code list} has {@code count} elements. */
    private void awaitCount(List<?> list, int count, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (list.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("only " + list.size() + " of " + count + " " + what + " within " + timeout + ": " + list
                        + "; events: " + events);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    synchronized List<PermissionAsk> asks() {
        return List.copyOf(asks);
    }

    /** How many events had come when each request for permission came. */
    synchronized List<Integer> eventsBeforeAsk() {
        return List.copyOf(eventsBeforeAsk);
    }

    synchronized List<String> withdrawn() {
        return List.copyOf(withdrawn);
    }

    /** How many events had come when each withdrawal came. */
    synchronized List<Integer> eventsBeforeWithdrawal() {
        return List.copyOf(eventsBeforeWithdrawal);
    }

    synchronized List<AgentTurn> turns() {
        return List.copyOf(turns);
    }

    synchronized List<Integer> eventsBeforeTurn() {
        return List.copyOf(eventsBeforeTurn);
    }

    @Override
    public synchronized void onResult(AgentResult result) {
        check("onResult");
        if (result == null) {
            violations.add("onResult(null)");
        }
        if (!results.isEmpty()) {
            violations.add("onResult called again: " + result + " after " + results);
        }
        results.add(result);
        eventsBeforeResult = events.size();
    }

    @Override
    public synchronized void onSession(String sessionId) {
        check("onSession");
        if (sessionId == null || sessionId.isEmpty()) {
            violations.add("onSession without a session");
        }
        sessions.add(sessionId);
    }

    @Override
    public void onExit(CommandExit exit) {
        synchronized (this) {
            exited = true;
        }
        super.onExit(exit);
    }

    private void check(String call) {
        if (exited) {
            violations.add(call + " after onExit");
        }
        if (inStdout) {
            violations.add(call + " during a stdout onOutput");
        }
    }

    /** Fails if the agent broke the contract so far (the runner's part included). */
    void assertAgentContractKept() {
        assertContractKept();
        synchronized (this) {
            if (!violations.isEmpty()) {
                fail("the agent broke the AgentListener contract: " + violations);
            }
        }
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized List<String> eventThreads() {
        return List.copyOf(eventThreads);
    }

    synchronized List<Long> stdoutBytesBeforeEvent() {
        return List.copyOf(stdoutBytesBeforeEvent);
    }

    /** The result, or null if none came. */
    synchronized AgentResult result() {
        return results.isEmpty() ? null : results.get(0);
    }

    /** The sessions named by {@code onSession}, in order. */
    synchronized List<String> sessions() {
        return List.copyOf(sessions);
    }

    synchronized int resultCalls() {
        return results.size();
    }

    /** How many events had come when the result came; -1 if it did not. */
    synchronized int eventsBeforeResult() {
        return eventsBeforeResult;
    }
}
