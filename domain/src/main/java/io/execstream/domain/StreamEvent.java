package io.execstream.domain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One event of a stream: a piece of output, an agent's event, or the single {@link Done} that ends it.
 * Further kinds may be added; consumers should ignore the ones they do not know.
 *
 * <p>{@link Output}, {@link Agent} and {@link Done} carry {@code ts}, when the server read them
 * (the output from its pipe, the agent's event from the agent, the end of the run), to the
 * millisecond. It is taken once, where the run hands the event over, and stored with the event, so
 * that every reader of the stream, live or replaying its history on any node, sees the same time.
 * It is null for an event made without one, or read back from a store written before it was kept.
 */
public sealed interface StreamEvent {

    /**
     * Text the command wrote: valid UTF-8, decoded from the command's output with invalid bytes
     * replaced by U+FFFD, so that {@link #content()} is valid UTF-16 (never half a surrogate pair).
     *
     * <p>It holds the text in the form it was made from, the bytes read from a pipe
     * ({@link #ofUtf8}) or a {@code String} (the constructors), and makes the other form on first
     * use, once: output read from a process goes to the wire, to disk and to Redis as bytes, and
     * is decoded only for whoever asks for {@link #content()}. An immutable value with a record's
     * accessors, {@code equals} (type, text and time) and {@code toString}.
     *
     * <p>{@link #utf8Bytes()} is the size of the text in UTF-8, what history limits and metrics
     * count. It travels with the event because counting a {@code String} costs a pass over it.
     * Construct with {@link #Output(OutputType, String)}, which counts it, unless the size is
     * already known; the constructors given a size reject one no text of this length can have,
     * but cannot afford to check it exactly.
     */
    final class Output implements StreamEvent {
        private final OutputType type;
        private final long utf8Bytes;
        private final Instant ts;
        // One of the two is set when made, the other on first use; both stay as they are after.
        // Volatile, so that a reader on another thread sees a whole array or string, never a
        // reference to one whose contents it cannot see yet.
        private volatile String content;
        private volatile byte[] utf8;
        // Where the text starts in utf8: an event read from a busy pipe is a range of a larger
        // array that several events share (see ofUtf8 with an offset). Its length is utf8Bytes.
        private final int offset;

        /**
         * @param type      which pipe the text came from
         * @param content   the text
         * @param utf8Bytes the UTF-8 size of {@code content}
         * @param ts        when the server read it, to the millisecond; null if unknown
         */
        public Output(OutputType type, String content, long utf8Bytes, Instant ts) {
            this.type = Objects.requireNonNull(type, "type");
            this.content = Objects.requireNonNull(content, "content");
            // Each char takes 1 to 3 bytes (a surrogate pair, 2 chars, takes 4).
            if (utf8Bytes < content.length() || utf8Bytes > 3L * content.length()) {
                throw new IllegalArgumentException("utf8Bytes " + utf8Bytes + " is impossible for "
                        + content.length() + " chars");
            }
            this.utf8Bytes = utf8Bytes;
            this.ts = ts;
            this.offset = 0;
        }

        /** Output without a time, whose UTF-8 size is known. */
        public Output(OutputType type, String content, long utf8Bytes) {
            this(type, content, utf8Bytes, null);
        }

        /** Output without a time, whose UTF-8 size is counted here. */
        public Output(OutputType type, String content) {
            this(type, content, Utf8.length(Objects.requireNonNull(content, "content")));
        }

        /** Output read at {@code ts} (null if unknown), whose UTF-8 size is counted here. */
        public Output(OutputType type, String content, Instant ts) {
            this(type, content, Utf8.length(Objects.requireNonNull(content, "content")), ts);
        }

        private Output(OutputType type, byte[] utf8, int offset, int length, Instant ts) {
            this.type = type;
            this.utf8 = utf8;
            this.offset = offset;
            this.utf8Bytes = length;
            this.ts = ts;
        }

        /**
         * Output made from bytes a command wrote, read at {@code ts} (null if unknown). The array
         * is kept, not copied, when it is valid UTF-8: the caller must not change it afterwards.
         * Bytes that are not valid UTF-8 are replaced by U+FFFD as the JDK's decoder replaces them
         * (into a new array).
         */
        public static Output ofUtf8(OutputType type, byte[] utf8, Instant ts) {
            return ofUtf8(type, Objects.requireNonNull(utf8, "utf8"), 0, utf8.length, ts);
        }

        /**
         * Output made from {@code length} bytes a command wrote, {@code utf8[offset, offset + length)},
         * read at {@code ts} (null if unknown). As {@link #ofUtf8(OutputType, byte[], Instant)}, the
         * range is kept, not copied, when it is valid UTF-8, and the caller must not change it
         * afterwards; the rest of the array is not the event's, and may hold other events' bytes.
         * This lets a reader of a busy pipe put many events in one large array, which the garbage
         * collector keeps where it was made instead of copying each event as it ages.
         *
         * @throws IndexOutOfBoundsException if the range is not within the array
         */
        public static Output ofUtf8(OutputType type, byte[] utf8, int offset, int length, Instant ts) {
            Objects.requireNonNull(type, "type");
            Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(utf8, "utf8").length);
            if (Utf8.isValid(utf8, offset, offset + length)) {
                return new Output(type, utf8, offset, length, ts);
            }
            byte[] replaced = new String(utf8, offset, length, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
            return new Output(type, replaced, 0, replaced.length, ts);
        }

        /** Output made from bytes, without a time: see {@link #ofUtf8(OutputType, byte[], Instant)}. */
        public static Output ofUtf8(OutputType type, byte[] utf8) {
            return ofUtf8(type, utf8, null);
        }

        public static Output stdout(String content) {
            return new Output(OutputType.STDOUT, content);
        }

        public static Output stderr(String content) {
            return new Output(OutputType.STDERR, content);
        }

        /** Which pipe the text came from. */
        public OutputType type() {
            return type;
        }

        /** The text. */
        public String content() {
            String text = content;
            if (text == null) {
                content = text = new String(utf8, offset, (int) utf8Bytes, StandardCharsets.UTF_8);
            }
            return text;
        }

        /** The UTF-8 size of the text. */
        public long utf8Bytes() {
            return utf8Bytes;
        }

        /** When the server read it, to the millisecond; null if unknown. */
        public Instant ts() {
            return ts;
        }

        /**
         * The text in UTF-8, as a read-only buffer over the event's own bytes (no copy; position 0,
         * limit the size, whatever range of a larger array they are). A {@code String} given to a
         * constructor is encoded on the first call, a lone surrogate, which decoded output never
         * holds, as {@code ?}.
         */
        public ByteBuffer utf8() {
            byte[] bytes = utf8;
            if (bytes == null) {
                // offset is 0 for output made from a String.
                utf8 = bytes = content.getBytes(StandardCharsets.UTF_8);
            }
            return ByteBuffer.wrap(bytes, offset, (int) utf8Bytes).slice().asReadOnlyBuffer();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Output other && type == other.type && utf8Bytes == other.utf8Bytes
                    && Objects.equals(ts, other.ts) && content().equals(other.content());
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, content(), utf8Bytes, ts);
        }

        @Override
        public String toString() {
            return "Output[type=" + type + ", content=" + content() + ", utf8Bytes=" + utf8Bytes + ", ts=" + ts + "]";
        }
    }

    /**
     * One event of a coding agent's own protocol (for Claude Code, one line of its stream-json),
     * as a JSON object in compact form on one line. Sent alongside the raw output, which still
     * carries every byte.
     *
     * @param json the event
     * @param ts   when the server read it, to the millisecond; null if unknown
     */
    record Agent(String json, Instant ts) implements StreamEvent {
        public Agent {
            Objects.requireNonNull(json, "json");
            if (json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("agent event JSON must be on one line");
            }
        }

        /** An agent event without a time. */
        public Agent(String json) {
            this(json, null);
        }
    }

    /**
     * Text written to the command's stdin through the API ({@code "stdin": true}), recorded in the
     * order it was written, so that a reader sees the whole exchange. Input sent with
     * {@code "echo": false} is written but not recorded.
     *
     * @param data the text written; empty for an end-of-file alone
     * @param eof  whether stdin was closed after it
     */
    record Input(String data, boolean eof) implements StreamEvent {
        public Input {
            Objects.requireNonNull(data, "data");
        }
    }

    /**
     * A message of a live agent session: its first prompt or a follow-up, recorded when the
     * session took it.
     *
     * @param prompt what was sent
     * @param turn   the turn that answers it, from 1
     * @param queued whether a turn was running when it came, so that it waits for that turn's end
     */
    record Message(String prompt, int turn, boolean queued) implements StreamEvent {
        public Message {
            Objects.requireNonNull(prompt, "prompt");
            if (turn < 1) {
                throw new IllegalArgumentException("turns are numbered from 1");
            }
        }
    }

    /** The end of one turn of a live agent session. */
    record Turn(AgentTurn turn) implements StreamEvent {
        public Turn {
            Objects.requireNonNull(turn, "turn");
        }
    }

    /** A live session started with approvals asks whether a tool call may run. */
    record Permission(PermissionRequest request) implements StreamEvent {
        public Permission {
            Objects.requireNonNull(request, "request");
        }
    }

    /** A {@link Permission} request was settled: answered, expired, withdrawn, or left at the run's end. */
    record PermissionResolved(PermissionResolution resolution) implements StreamEvent {
        public PermissionResolved {
            Objects.requireNonNull(resolution, "resolution");
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
     * @param agent      what a coding agent reported at its end; null for plain commands, and for
     *                   an agent that ended without a report
     * @param ts         when the server saw the run end, to the millisecond; null if unknown
     */
    record Done(Integer exitCode, long durationMs, StreamStatus status, String message, AgentResult agent,
                Instant ts) implements StreamEvent {
        public Done {
            Objects.requireNonNull(status, "status");
            if (!status.isFinal()) {
                throw new IllegalArgumentException("a done event needs a final status");
            }
            if (durationMs < 0) {
                throw new IllegalArgumentException("durationMs < 0");
            }
        }

        /** An end without a time. */
        public Done(Integer exitCode, long durationMs, StreamStatus status, String message, AgentResult agent) {
            this(exitCode, durationMs, status, message, agent, null);
        }

        /** The end of a plain command, without a time. */
        public Done(Integer exitCode, long durationMs, StreamStatus status, String message) {
            this(exitCode, durationMs, status, message, null);
        }

        /** This end, seen at {@code ts}. */
        public Done at(Instant ts) {
            return new Done(exitCode, durationMs, status, message, agent, ts);
        }
    }
}
