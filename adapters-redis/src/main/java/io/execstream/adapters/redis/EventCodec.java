package io.execstream.adapters.redis;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.OutputType;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.PermissionResolution;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.HistoryLimits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Events as the fields of a Redis stream entry. Every entry has {@code k} (its kind: {@code o}
 * output, {@code a} agent, {@code i} input, {@code m} message, {@code t} turn, {@code p} permission,
 * {@code r} permission resolved, {@code d} done) and
 * {@code w} (its weight in history bytes: the UTF-8 length of an output's content, 64 for any
 * other event); then, by kind:
 * <ul>
 *   <li>output: {@code t} (stdout/stderr), {@code c} (content);</li>
 *   <li>agent: {@code j} (the JSON);</li>
 *   <li>input: {@code c} (the text written), {@code eof} (0/1);</li>
 *   <li>message: {@code p} (the prompt), {@code tn} (the turn that answers it), {@code q} (0/1,
 *       queued);</li>
 *   <li>turn: {@code tn} (number), {@code tsub} (subtype), {@code te} (0/1), {@code tc} (its cost),
 *       {@code trc} (the run's cost so far), {@code tu} (usage JSON), {@code tms} (duration); the
 *       last four absent if not reported;</li>
 *   <li>permission: {@code rid} (request id), {@code tool}, {@code in} (the input JSON), {@code why}
 *       (the reason, absent if none), {@code exp} (when it expires, ISO instant);</li>
 *   <li>permission resolved: {@code rid}, {@code out} (outcome wire name), {@code by} (who decided,
 *       absent if no one), {@code at} (ISO instant), {@code m} (the message, absent if none);</li>
 *   <li>done: {@code st} (status wire name), {@code x} (exit code, absent if none), {@code ms}
 *       (duration), {@code m} (message, absent if none), and when there is an agent result
 *       {@code as} (session, absent if none), {@code ae} (0/1), {@code asub}, {@code an},
 *       {@code ac}, {@code au}, {@code asc} (the session's cost) (absent if none).</li>
 * </ul>
 * Output, agent and done entries also have {@code ts}, when the server read the event, in epoch
 * milliseconds; absent in entries written before it was kept, which decode without a time.
 * A field a later version adds is optional, so that entries written before it still decode; an
 * entry of a kind this version does not know is skipped.
 *
 * <p>Fields are bytes both ways, so that output goes from the pipe's bytes to Redis and from
 * Redis to the subscribers' frames without a {@code String} in between: an output's content is
 * the event's UTF-8 as it is ({@link StreamEvent.Output#utf8()}), and is read back with
 * {@link StreamEvent.Output#ofUtf8}. Every other value is text in UTF-8.
 */
final class EventCodec {
    /** Every field name, encoded once, so that encoding an event allocates none. */
    private static final Map<String, byte[]> NAMES = new HashMap<>();

    static {
        for (String name : List.of("k", "w", "t", "c", "ts", "j", "eof", "p", "tn", "q", "tsub", "te", "tc", "trc",
                "tu", "tms", "rid", "tool", "in", "why", "exp", "out", "by", "at", "m", "st", "x", "ms", "as", "ae",
                "asub", "an", "ac", "au", "asc")) {
            NAMES.put(name, name.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private EventCodec() {
    }

    /** The field/value pairs of the entry, in order. */
    static List<byte[]> encode(StreamEvent event) {
        List<byte[]> f = new ArrayList<>(16);
        if (event instanceof StreamEvent.Output output) {
            put(f, "k", "o");
            put(f, "t", output.type().wireName());
            ByteBuffer utf8 = output.utf8();
            byte[] content = new byte[utf8.remaining()];
            utf8.get(content);
            f.add(name("c"));
            f.add(content);
            putTime(f, output.ts());
        } else if (event instanceof StreamEvent.Agent agent) {
            put(f, "k", "a");
            put(f, "j", agent.json());
            putTime(f, agent.ts());
        } else if (event instanceof StreamEvent.Input input) {
            put(f, "k", "i");
            put(f, "c", input.data());
            put(f, "eof", flag(input.eof()));
        } else if (event instanceof StreamEvent.Message message) {
            put(f, "k", "m");
            put(f, "p", message.prompt());
            put(f, "tn", Integer.toString(message.turn()));
            put(f, "q", flag(message.queued()));
        } else if (event instanceof StreamEvent.Turn turn) {
            AgentTurn t = turn.turn();
            put(f, "k", "t");
            put(f, "tn", Integer.toString(t.number()));
            put(f, "tsub", t.subtype());
            put(f, "te", flag(t.isError()));
            putIfPresent(f, "tc", t.costUsd());
            putIfPresent(f, "trc", t.runCostUsd());
            putIfPresent(f, "tu", t.usageJson());
            putIfPresent(f, "tms", t.durationMs());
        } else if (event instanceof StreamEvent.Permission permission) {
            PermissionRequest r = permission.request();
            put(f, "k", "p");
            put(f, "rid", r.requestId());
            put(f, "tool", r.toolName());
            put(f, "in", r.inputJson());
            putIfPresent(f, "why", r.reason());
            put(f, "exp", r.expiresAt().toString());
        } else if (event instanceof StreamEvent.PermissionResolved resolved) {
            PermissionResolution r = resolved.resolution();
            put(f, "k", "r");
            put(f, "rid", r.requestId());
            put(f, "out", r.outcome().wireName());
            putIfPresent(f, "by", r.decidedBy());
            put(f, "at", r.decidedAt().toString());
            putIfPresent(f, "m", r.message());
        } else if (event instanceof StreamEvent.Done done) {
            put(f, "k", "d");
            put(f, "st", done.status().wireName());
            if (done.exitCode() != null) {
                put(f, "x", done.exitCode().toString());
            }
            put(f, "ms", Long.toString(done.durationMs()));
            if (done.message() != null) {
                put(f, "m", done.message());
            }
            AgentResult a = done.agent();
            if (a != null) {
                if (a.sessionId() != null) {
                    put(f, "as", a.sessionId());
                }
                put(f, "ae", flag(a.isError()));
                put(f, "asub", a.subtype());
                putIfPresent(f, "an", a.numTurns());
                putIfPresent(f, "ac", a.totalCostUsd());
                putIfPresent(f, "au", a.usageJson());
                putIfPresent(f, "asc", a.sessionCostUsd());
            }
            putTime(f, done.ts());
        } else {
            throw new IllegalArgumentException("unknown event " + event);
        }
        put(f, "w", Long.toString(weight(event)));
        return f;
    }

    /**
     * The event of an entry; null for a kind this version does not know (it is skipped).
     *
     * @param entry the entry's fields, in a map whose {@code byte[]} keys compare by content, as
     *              Jedis builds them ({@code JedisByteHashMap})
     */
    static StreamEvent decode(Map<byte[], byte[]> entry) {
        Fields f = new Fields(entry);
        String kind = f.get("k");
        if (kind == null) {
            return null;
        }
        switch (kind) {
            case "o":
                byte[] content = f.bytes("c");
                return StreamEvent.Output.ofUtf8("stderr".equals(f.get("t")) ? OutputType.STDERR : OutputType.STDOUT,
                        content == null ? new byte[0] : content, time(f));
            case "a":
                return new StreamEvent.Agent(f.getOrDefault("j", "{}"), time(f));
            case "i":
                return new StreamEvent.Input(f.getOrDefault("c", ""), "1".equals(f.get("eof")));
            case "m":
                return new StreamEvent.Message(f.getOrDefault("p", ""), Integer.parseInt(f.getOrDefault("tn", "1")),
                        "1".equals(f.get("q")));
            case "t":
                return new StreamEvent.Turn(new AgentTurn(Integer.parseInt(f.getOrDefault("tn", "1")),
                        f.getOrDefault("tsub", ""), "1".equals(f.get("te")), decimal(f.get("tc")), decimal(f.get("trc")),
                        f.get("tu"), f.containsKey("tms") ? Long.valueOf(f.get("tms")) : null));
            case "p":
                return new StreamEvent.Permission(new PermissionRequest(f.get("rid"), f.getOrDefault("tool", ""),
                        f.getOrDefault("in", "{}"), f.get("why"), Instant.parse(f.get("exp"))));
            case "r":
                return new StreamEvent.PermissionResolved(new PermissionResolution(f.get("rid"),
                        PermissionResolution.Outcome.valueOf(f.get("out").toUpperCase(Locale.ROOT)), f.get("by"),
                        Instant.parse(f.get("at")), f.get("m")));
            case "d":
                AgentResult agent = null;
                if (f.containsKey("asub")) {
                    agent = new AgentResult(f.get("as"), "1".equals(f.get("ae")), f.get("asub"),
                            f.containsKey("an") ? Integer.valueOf(f.get("an")) : null,
                            decimal(f.get("ac")), f.get("au"), decimal(f.get("asc")));
                }
                return new StreamEvent.Done(f.containsKey("x") ? Integer.valueOf(f.get("x")) : null,
                        Long.parseLong(f.getOrDefault("ms", "0")), status(f.get("st")), f.get("m"), agent, time(f));
            default:
                return null;
        }
    }

    static StreamStatus status(String wireName) {
        return StreamStatus.valueOf(wireName.toUpperCase(Locale.ROOT));
    }

    static long weight(StreamEvent event) {
        return HistoryLimits.weight(event);
    }

    /** {@code N-0}, the entry id and the event id of event number {@code n}. */
    static String id(long n) {
        return n + "-0";
    }

    /** The N of an entry id {@code N-M}. */
    static long seqOf(String entryId) {
        int dash = entryId.indexOf('-');
        return Long.parseLong(dash < 0 ? entryId : entryId.substring(0, dash));
    }

    /**
     * The number in field {@code key}, or null where the entry has none: it was not reported, or
     * the entry predates the field.
     */
    static Double decimal(Map<String, String> f, String key) {
        return decimal(f.get(key));
    }

    private static Double decimal(String v) {
        return v == null ? null : Double.valueOf(v);
    }

    /** The entry's {@code ts}, or null where it has none (written before it was kept). */
    private static Instant time(Fields f) {
        String v = f.get("ts");
        return v == null ? null : Instant.ofEpochMilli(Long.parseLong(v));
    }

    private static void putTime(List<byte[]> f, Instant ts) {
        if (ts != null) {
            put(f, "ts", Long.toString(ts.toEpochMilli()));
        }
    }

    private static String flag(boolean b) {
        return b ? "1" : "0";
    }

    private static void putIfPresent(List<byte[]> f, String key, Object value) {
        if (value != null) {
            put(f, key, value.toString());
        }
    }

    private static void put(List<byte[]> f, String key, String value) {
        f.add(name(key));
        f.add(value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] name(String key) {
        byte[] name = NAMES.get(key);
        if (name == null) {
            throw new IllegalStateException("field " + key + " is missing from EventCodec.NAMES");
        }
        return name;
    }

    /** An entry's fields, read by name: text decoded from UTF-8 on each read, or the bytes as they are. */
    private record Fields(Map<byte[], byte[]> entry) {
        byte[] bytes(String key) {
            return entry.get(name(key));
        }

        String get(String key) {
            byte[] v = bytes(key);
            return v == null ? null : new String(v, StandardCharsets.UTF_8);
        }

        String getOrDefault(String key, String otherwise) {
            String v = get(key);
            return v == null ? otherwise : v;
        }

        boolean containsKey(String key) {
            return bytes(key) != null;
        }
    }
}
