package io.execstream.adapters.redis;

import io.execstream.domain.InvalidInputException;
import io.execstream.domain.StreamId;
import io.execstream.ports.StreamControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Control requests as the fields of an entry of a node's requests ({@link Keys#controls}):
 * {@code s} (the stream id), {@code k} (its kind: {@code i} input, {@code m} message, {@code x}
 * interrupt, {@code e} end), then for input {@code d} (the text), {@code eof} and {@code echo}
 * (0/1), for a message {@code p} (the prompt). Stateless.
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

    private static String flag(boolean b) {
        return b ? "1" : "0";
    }
}
