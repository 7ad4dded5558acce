package io.execstream.adapters.opencode;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.ports.AgentListener;
import io.execstream.testkit.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Records a run for the tests: what {@link RecordingListener} keeps, plus the agent events, sessions and results. */
final class AgentRecorder extends RecordingListener implements AgentListener {
    private final List<String> events = new ArrayList<>();
    private final List<AgentResult> results = new ArrayList<>();
    private final List<String> sessions = new ArrayList<>();
    private final List<AgentTurn> turns = new ArrayList<>();

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
        await(() -> turns.size() >= count, () -> "not " + count + " turns within " + timeout + "; turns: " + turns
                + "; events: " + events, timeout);
        return List.copyOf(turns);
    }

    synchronized List<AgentTurn> turns() {
        return List.copyOf(turns);
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
