package io.execstream.adapters.redis;

import io.execstream.domain.InvalidInputException;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.StreamId;
import io.execstream.ports.StreamControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Control requests as the fields of an entry of a node's requests ({@link Keys#controls}):
 * {@code s} (the stream id), {@code k} (its kind: {@code i} input, {@code m} message, {@code x}
 * interrupt, {@code e} end, {@code a} answer to a request for permission), then for input
 * {@code d} (the text), {@code eof} and {@code echo} (0/1), for a message {@code p} (the prompt),
 * for an answer {@code r} (the request id), {@code v} ({@code allow}/{@code deny}), {@code b} (who
 * decided), {@code u} (the updated input JSON) and {@code m} (the message), each absent if none.
 * Stateless.
 */
final class ControlCodec {
    private ControlCodec() {
    }

    /** A request for one stream, decoded. */
    record Request(StreamId stream, StreamControl control) {
    }

    /** The field/value pairs of the entry, in order. */
    static List<String> encode(StreamId stream, StreamControl control) {
        List<String> f = new ArrayList<>(10);
        f.add("s");
        f.add(stream.value());
        f.add("k");
        if (control instanceof StreamControl.Input input) {
            f.addAll(List.of("i", "d", input.data(), "eof", flag(input.eof()), "echo", flag(input.echo())));
        } else if (control instanceof StreamControl.Message message) {
            f.addAll(List.of("m", "p", message.prompt()));
        } else if (control instanceof StreamControl.Interrupt) {
            f.add("x");
        } else if (control instanceof StreamControl.End) {
            f.add("e");
        } else if (control instanceof StreamControl.Answer answer) {
            PermissionDecision d = answer.decision();
            f.addAll(List.of("a", "r", answer.requestId(), "v", d.verdict().wireName(), "b", answer.decidedBy()));
            if (d.updatedInputJson() != null) {
                f.addAll(List.of("u", d.updatedInputJson()));
            }
            if (d.message() != null) {
                f.addAll(List.of("m", d.message()));
            }
        } else {
            throw new IllegalArgumentException("unknown control " + control);
        }
        return f;
    }

    /**
     * The request of an entry; null for one this version cannot read (a kind added later, or no
     * valid stream id): it is skipped.
     */
    static Request decode(Map<String, String> f) {
        String stream = f.get("s");
        String kind = f.get("k");
        if (stream == null || kind == null) {
            return null;
        }
        StreamControl control = switch (kind) {
            case "i" -> new StreamControl.Input(f.getOrDefault("d", ""), "1".equals(f.get("eof")),
                    !"0".equals(f.get("echo")));
            case "m" -> new StreamControl.Message(f.getOrDefault("p", ""));
            case "x" -> new StreamControl.Interrupt();
            case "e" -> new StreamControl.End();
            case "a" -> answer(f);
            default -> null;
        };
        if (control == null) {
            return null;
        }
        try {
            return new Request(StreamId.of(stream), control);
        } catch (InvalidInputException e) {
            return null;
        }
    }

    /** An answer of an entry; null for one this version cannot read. */
    private static StreamControl.Answer answer(Map<String, String> f) {
        String requestId = f.get("r");
        String by = f.get("b");
        String verdict = f.get("v");
        if (requestId == null || by == null || verdict == null) {
            return null;
        }
        try {
            return new StreamControl.Answer(requestId, new PermissionDecision(
                    PermissionDecision.Verdict.valueOf(verdict.toUpperCase(Locale.ROOT)), f.get("u"), f.get("m")), by);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String flag(boolean b) {
        return b ? "1" : "0";
    }
}
