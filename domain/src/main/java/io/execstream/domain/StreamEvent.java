package io.execstream.domain;

import java.util.Objects;

/**
 * One event of a stream: a piece of output, or the single {@link Done} that ends it.
 * Further kinds may be added; consumers should ignore the ones they do not know.
 */
public sealed interface StreamEvent {

    /**
     * Text the command wrote. {@code content} is valid UTF-16 (never half a surrogate pair)
     * decoded from the command's UTF-8 output, invalid bytes replaced by U+FFFD.
     */
    record Output(OutputType type, String content) implements StreamEvent {
        public Output {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(content, "content");
        }

        public static Output stdout(String content) {
            return new Output(OutputType.STDOUT, content);
        }

        public static Output stderr(String content) {
            return new Output(OutputType.STDERR, content);
        }
    }

    /**
     * The end of a stream; always its last event, exactly once.
     *
     * @param exitCode   the process's exit code ({@code 128 + signal} when a signal ended it),
     *                   or {@code null} when there was no process exit to report
     * @param durationMs milliseconds from start to end
     * @param status     how the command ended; never {@link StreamStatus#RUNNING}
     * @param message    why the command failed, for {@link StreamStatus#FAILED}; otherwise null
     */
    record Done(Integer exitCode, long durationMs, StreamStatus status, String message) implements StreamEvent {
        public Done {
            Objects.requireNonNull(status, "status");
            if (!status.isFinal()) {
                throw new IllegalArgumentException("a done event needs a final status");
            }
            if (durationMs < 0) {
                throw new IllegalArgumentException("durationMs < 0");
            }
        }
    }
}
