package io.execstream.adapters.opencode;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.ports.AgentListener;
import io.execstream.ports.PermissionAsk;
import io.execstream.testkit.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Records a run for the tests: what {@link RecordingListener} keeps, plus the agent events,
 * sessions, turns, results, and requests for permission asked and withdrawn.
 */
final class AgentRecorder extends RecordingListener implements AgentListener {
    private final List<String> events = new ArrayList<>();
    private final List<AgentResult> results = new ArrayList<>();
    private final List<String> sessions = new ArrayList<>();
    private final List<AgentTurn> turns = new ArrayList<>();
    private final List<PermissionAsk> asks = new ArrayList<>();
    private final List<String> withdrawn = new ArrayList<>();

    @Override
    public synchronized void onAgentEvent(String json) {
        events.add(json);
        notifyAll();
    }

    /** Waits until an event containing {@code text} came; fails after {@code timeout}. */
    void awaitEvent(String text, Duration timeout) {
        awaitEvent(e -> e.contains(text), "containing " + text, timeout);
    }

    /** Waits until an event matching {@code which} came; fails after {@code timeout}. */
    synchronized void awaitEvent(Predicate<String> which, String what, Duration timeout) {
        await(() -> events.stream().anyMatch(which), () -> "no event " + what + " within " + timeout + "; events: " + events,
                timeout);
    }

    @Override
    public synchronized void onTurn(AgentTurn turn) {
        turns.add(turn);
        notifyAll();
    }

    /** Waits until {@code count} turns have ended; all of them so far. */
    synchronized List<AgentTurn> awaitTurns(int count, Duration timeout) {
        return awaitSize(turns, count, "turns", timeout);
    }

    synchronized List<AgentTurn> turns() {
        return List.copyOf(turns);
    }

    @Override
    public synchronized void onPermissionRequest(PermissionAsk ask) {
        asks.add(ask);
        notifyAll();
    }

    @Override
    public synchronized void onPermissionWithdrawn(String agentRequestId) {
        withdrawn.add(agentRequestId);
        notifyAll();
    }

    /** Waits until {@code count} requests for permission were passed on; all of them so far. */
    synchronized List<PermissionAsk> awaitAsks(int count, Duration timeout) {
        return awaitSize(asks, count, "requests for permission", timeout);
    }

    synchronized List<PermissionAsk> asks() {
        return List.copyOf(asks);
    }

    /** Waits until {@code count} requests were withdrawn; the ids of all of them so far. */
    synchronized List<String> awaitWithdrawn(int count, Duration timeout) {
        return awaitSize(withdrawn, count, "withdrawn requests", timeout);
    }

    synchronized List<String> withdrawn() {
        return List.copyOf(withdrawn);
    }

    /** Waits until {@code list} holds {@code count} {@code what}; a copy of it. Called holding the lock. */
    private <T> List<T> awaitSize(List<T> list, int count, String what, Duration timeout) {
        await(() -> list.size() >= count, () -> "not " + count + " " + what + " within " + timeout + "; got: " + list
                + "; events: " + events, timeout);
        return List.copyOf(list);
    }

    private void await(BooleanSupplier done, Supplier<String> failure,
                       Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(failure.get());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Override
    public synchronized void onResult(AgentResult result) {
        results.add(result);
        notifyAll();
    }

    @Override
    public synchronized void onSession(String sessionId) {
        sessions.add(sessionId);
        notifyAll();
    }

    /** The sessions named, in order. */
    synchronized List<String> sessions() {
        return List.copyOf(sessions);
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized List<AgentResult> results() {
        return List.copyOf(results);
    }

    /** The one result; fails if there is none or more than one. */
    synchronized AgentResult result() {
        if (results.size() != 1) {
            throw new AssertionError("expected one result, got " + results);
        }
        return results.get(0);
    }

    /** The {@code type} of each event, in order. */
    synchronized List<String> eventTypes() {
        return events.stream().map(e -> OpenCodeJson.text(OpenCodeJson.parseObject(e), "type")).toList();
    }
}
