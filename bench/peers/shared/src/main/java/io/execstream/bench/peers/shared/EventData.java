package io.execstream.bench.peers.shared;

/** The data of execstream's two stream events, written as JSON with snake_case names by each peer's Jackson. */
public final class EventData {

    private EventData() {
    }

    /** An {@code output} event: what one read of a pipe brought. */
    public record Output(String type, String content) {
    }

    /** The {@code done} event: the exit code (null when the command did not start), the run time and how it ended. */
    public record Done(Integer exitCode, long durationMs, String status) {
    }
}
