package io.execstream.adapters.opencode;

import io.execstream.domain.AgentResult;
import io.execstream.ports.AgentListener;
import io.execstream.testkit.RecordingListener;
import java.util.ArrayList;
import java.util.List;

/** Records a run for the tests: what {@link RecordingListener} keeps, plus the agent events and results. */
final class AgentRecorder extends RecordingListener implements AgentListener {
    private final List<String> events = new ArrayList<>();
    private final List<AgentResult> results = new ArrayList<>();

    @Override
    public synchronized void onAgentEvent(String json) {
        events.add(json);
    }

    @Override
    public synchronized void onResult(AgentResult result) {
        results.add(result);
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
