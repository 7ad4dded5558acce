package io.execstream.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to write to the stdin of a command started {@linkplain CommandRequest#withStdin() with
 * stdin}: text, an end-of-file, or both, recorded in the stream as an {@code input} event unless
 * it is sent {@linkplain #unechoed() unechoed}. See {@link ExecStreamClient#sendInput(String, String, Input)}.
 *
 * @param data the text to write, as it is (no newline is added); empty for none
 * @param eof  whether the command's stdin is closed after it
 * @param echo whether it is recorded as an {@code input} event, for every reader of the stream to see
 */
public record Input(String data, boolean eof, boolean echo) {
    /** Checks that there is something to send. */
    public Input {
        data = data == null ? "" : data;
        if (data.isEmpty() && !eof) {
            throw new IllegalArgumentException("nothing to send: give some text, an end-of-file, or both");
        }
    }

    /** {@code data}, recorded in the stream. */
    public static Input of(String data) {
        Objects.requireNonNull(data, "data");
        return new Input(data, false, true);
    }

    /** An end-of-file alone: the command reads to the end of its input. */
    public static Input endOfFile() {
        return new Input("", true, true);
    }

    /** This input followed by an end-of-file. */
    public Input withEof() {
        return new Input(data, true, echo);
    }

    /** This input written but not recorded in the stream: a password, a token. */
    public Input unechoed() {
        return new Input(data, eof, false);
    }

    /** The request body, {@code {"data"?, "eof"?, "echo"?}}, with only what differs from the defaults. */
    String toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        if (!data.isEmpty()) {
            body.put("data", data);
        }
        if (eof) {
            body.put("eof", true);
        }
        if (!echo) {
            body.put("echo", false);
        }
        return Json.write(body);
    }
}
