package io.execstream.adapters.redis;

import io.execstream.domain.AgentResult;
import io.execstream.domain.OutputType;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.HistoryLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Events as the fields of a Redis stream entry. Every entry has {@code k} (its kind: {@code o}
 * output, {@code a} agent, {@code d} done) and {@code w} (its weight in history bytes: the UTF-8
 * length of an output's content, 64 for any other event); then, by kind:
 * <ul>
 *   <li>output: {@code t} (stdout/stderr), {@code c} (content);</li>
 *   <li>agent: {@code j} (the JSON);</li>
 *   <li>done: {@code st} (status wire name), {@code x} (exit code, absent if none), {@code ms}
 *       (duration), {@code m} (message, absent if none), and when there is an agent result
 *       {@code as} (session, absent if none), {@code ae} (0/1), {@code asub}, {@code an},
 *       {@code ac}, {@code au} (absent if none).</li>
 * </ul>
 */
final class EventCodec {
    private EventCodec() {
    }

    /** The field/value pairs of the entry, in order. */
    static List<String> encode(StreamEvent event) {
        List<String> f = new ArrayList<>(16);
        if (event instanceof StreamEvent.Output output) {
            put(f, "k", "o");
            put(f, "t", output.type().wireName());
            put(f, "c", output.content());
        } else if (event instanceof StreamEvent.Agent agent) {
            put(f, "k", "a");
            put(f, "j", agent.json());
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
                put(f, "ae", a.isError() ? "1" : "0");
                put(f, "asub", a.subtype());
                if (a.numTurns() != null) {
                    put(f, "an", a.numTurns().toString());
                }
                if (a.totalCostUsd() != null) {
                    put(f, "ac", a.totalCostUsd().toString());
                }
                if (a.usageJson() != null) {
                    put(f, "au", a.usageJson());
                }
            }
        } else {
            throw new IllegalArgumentException("unknown event " + event);
        }
        put(f, "w", Long.toString(weight(event)));
        return f;
    }

    /** The event of an entry; null for a kind this version does not know (it is skipped). */
    static StreamEvent decode(Map<String, String> f) {
        String kind = f.get("k");
        if (kind == null) {
            return null;
        }
        switch (kind) {
            case "o":
                return new StreamEvent.Output("stderr".equals(f.get("t")) ? OutputType.STDERR : OutputType.STDOUT,
                        f.getOrDefault("c", ""));
            case "a":
                return new StreamEvent.Agent(f.getOrDefault("j", "{}"));
            case "d":
                AgentResult agent = null;
                if (f.containsKey("asub")) {
                    agent = new AgentResult(f.get("as"), "1".equals(f.get("ae")), f.get("asub"),
                            f.containsKey("an") ? Integer.valueOf(f.get("an")) : null,
                            f.containsKey("ac") ? Double.valueOf(f.get("ac")) : null, f.get("au"));
                }
                return new StreamEvent.Done(f.containsKey("x") ? Integer.valueOf(f.get("x")) : null,
                        Long.parseLong(f.getOrDefault("ms", "0")), status(f.get("st")), f.get("m"), agent);
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

    private static void put(List<String> f, String key, String value) {
        f.add(key);
        f.add(value);
    }
}
