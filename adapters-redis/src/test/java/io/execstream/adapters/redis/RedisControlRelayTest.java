package io.execstream.adapters.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.ExecStreamException;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.StreamControl;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/** Input, messages, interrupts and ends sent on one node reach the node that runs the stream: once each, in order. */
class RedisControlRelayTest extends RedisNodesFixture {

    /**
     * Request i of a mixed sequence: input (with and without echo, some closing stdin), messages,
     * interrupts, ends, answers to requests for permission.
     */
    static StreamControl control(int i) {
        return switch (i % 7) {
            case 0 -> new StreamControl.Input("line " + i + " ünï 😀\n", i % 50 == 0, i % 3 != 0);
            case 1 -> new StreamControl.Message("message " + i);
            case 2 -> new StreamControl.Interrupt();
            case 3 -> new StreamControl.Input("", false, true);
            case 4 -> new StreamControl.Answer("p" + i, new PermissionDecision(PermissionDecision.Verdict.ALLOW,
                    "{\"command\":\"ls " + i + "\"}", null), "key-0a1b2c3d");
            case 5 -> new StreamControl.Answer("p" + i, PermissionDecision.deny(i % 2 == 0 ? null : "not now ü"), "ops");
            default -> new StreamControl.End();
        };
    }

    static List<StreamControl> controls(int count) {
        List<StreamControl> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(control(i));
        }
        return sent;
    }

    record Received(StreamId stream, StreamControl control) {
    }

    @Test
    void fiveHundredMixedRequestsFromAnotherNodeArriveOnceEachInOrder() {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(15));
        RedisStreamPublisher b = node("b", Duration.ofSeconds(15));
        StreamId s = openOn(a);
        StreamId t = openOn(a);
        List<StreamControl> sent = controls(500);
        // Half of them before A has a handler: they wait in Redis for it.
        sent.subList(0, 250).forEach(c -> b.cancelRelay().requestControl(s, c));
        List<Received> onA = new CopyOnWriteArrayList<>();
        a.cancelRelay().onControlRequest((stream, c) -> onA.add(new Received(stream, c)));
        sent.subList(250, 500).forEach(c -> b.cancelRelay().requestControl(s, c));
        b.cancelRelay().requestControl(t, new StreamControl.End());

        eventually("all 501 requests are handled", () -> onA.size() >= 501);
        List<Received> expected = new ArrayList<>(sent.stream().map(c -> new Received(s, c)).toList());
        expected.add(new Received(t, new StreamControl.End()));
        assertEquals(expected, onA);
        // Handled requests do not pile up in Redis.
        eventually("handled requests are trimmed", () -> {
            try (Jedis jedis = new Jedis(URI.create(server.uri()))) {
                return jedis.xlen(prefix + "c:a") <= 1;
            }
        });
    }

    @Test
    void connectionsKilledMidSequenceLoseAndRepeatNothing() throws Exception {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(15));
        RedisStreamPublisher b = node("b", Duration.ofSeconds(15));
        StreamId s = openOn(a);
        List<StreamControl> onA = new CopyOnWriteArrayList<>();
        a.cancelRelay().onControlRequest((stream, c) -> onA.add(c));
        List<StreamControl> sent = controls(500);
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            for (StreamControl c : sent) {
                b.cancelRelay().requestControl(s, c);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // spreads the sends over the kills
            }
        });
        int killsWhileSending = 0;
        try (Jedis admin = new Jedis(URI.create(server.uri()))) {
            eventually("the first requests are handled", () -> onA.size() >= 20);
            for (int k = 0; k < 12 && !sending.isDone(); k++) {
                if (k % 2 == 0) {
                    // The receiving node's reader alone, blocked in XREAD or reading...
                    admin.clientKill(ClientKillParams.clientKillParams().id(Long.toString(clientId(admin, "execstream-controls-a"))));
                } else {
                    // ... or every connection of both nodes: the senders' too, before, during or after a send.
                    admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.NORMAL).skipMe(ClientKillParams.SkipMe.YES));
                }
                killsWhileSending += sending.isDone() ? 0 : 1;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25));
            }
        }
        assertTrue(killsWhileSending >= 4, "only " + killsWhileSending + " kills landed while sending");
        sending.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        eventually("all 500 requests are handled", () -> onA.size() >= 500);
        assertEquals(sent, onA);
    }

    @Test
    void aRequestSentAgainAfterALostReplyIsAddedOnce() {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(15));
        StreamId s = openOn(a);
        Keys keys = new Keys(prefix);
        List<String> scriptKeys = List.of(keys.meta(s), keys.nodes(), keys.controlsSent("sender-1"));
        List<String> args = new ArrayList<>(List.of(prefix, "7", "1000"));
        args.addAll(ControlCodec.encode(s, new StreamControl.Message("once")));
        try (Jedis jedis = new Jedis(URI.create(server.uri()))) {
            assertEquals(List.of(1L, "a"), reply(Scripts.CONTROL.run(jedis, scriptKeys, args)));
            assertEquals(List.of(0L, ""), reply(Scripts.CONTROL.run(jedis, scriptKeys, args)), "the same number again");
            assertEquals(1, jedis.xlen(keys.controls("a")));
        }
    }

    /** A script's reply with its strings decoded. */
    private static List<Object> reply(Object r) {
        return ((List<?>) r).stream().map(o -> o instanceof byte[] b ? (Object) new String(b, StandardCharsets.UTF_8) : o).toList();
    }

    @Test
    void aNodeStartedAgainUnderItsIdGetsOnlyTheRequestsSentToItsNewRun() {
        RedisStreamPublisher before = node("a", Duration.ofSeconds(15));
        StreamId old = openOn(before);
        RedisStreamPublisher b = node("b", Duration.ofSeconds(15));
        b.cancelRelay().requestControl(old, new StreamControl.Message("for the run that is gone"));
        // No handler was ever registered, and the stream still runs: the request stays queued.
        before.close();
        RedisStreamPublisher after = node("a", Duration.ofSeconds(15));
        List<Received> onA = new CopyOnWriteArrayList<>();
        after.cancelRelay().onControlRequest((stream, c) -> onA.add(new Received(stream, c)));
        StreamId fresh = openOn(after);
        b.cancelRelay().requestControl(fresh, new StreamControl.Interrupt());
        eventually("the new request is handled", () -> !onA.isEmpty());
        assertEquals(List.of(new Received(fresh, new StreamControl.Interrupt())), onA);
    }

    @Test
    void aRequestForAStreamWhoseNodeIsGoneIsRefusedAsNodeUnreachable() {
        RedisStreamPublisher dying = node("dying", Duration.ofMillis(600));
        // B's lease ticks every 10 s: the dead node's stream stays running (not yet failed) that long.
        RedisStreamPublisher b = node("b", Duration.ofSeconds(30));
        StreamId s = openOn(dying);
        b.cancelRelay().requestControl(s, new StreamControl.Message("while it lives"));
        dying.stopRenewingLease();

        ExecStreamException[] refused = new ExecStreamException[1];
        eventually("the lease has expired", () -> {
            try {
                b.cancelRelay().requestControl(s, new StreamControl.Interrupt());
                return false;
            } catch (ExecStreamException e) {
                refused[0] = e;
                return true;
            }
        });
        assertEquals(ErrorCode.NODE_UNREACHABLE, refused[0].code());
        assertEquals(503, refused[0].code().status());
        assertEquals("the node that ran this stream (dying) is gone; it will be marked failed. Start the command again",
                refused[0].getMessage());
    }

    @Test
    void aRequestForAFinishedOrUnknownStreamIsRefused() {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(15));
        RedisStreamPublisher b = node("b", Duration.ofSeconds(15));
        StreamId s = openOn(a);
        a.complete(s, new StreamEvent.Done(0, 1, StreamStatus.EXITED, null));
        ExecStreamException finished = assertThrows(ExecStreamException.class,
                () -> b.cancelRelay().requestControl(s, new StreamControl.Input("x", false, true)));
        assertEquals(ErrorCode.STREAM_FINISHED, finished.code());
        assertTrue(finished.getMessage().contains("has finished"), finished.getMessage());
        assertThrows(StreamNotFoundException.class,
                () -> b.cancelRelay().requestControl(StreamId.random(), new StreamControl.End()));
    }

    /** The client id of the connection named {@code name}, once it is connected (it may be reconnecting). */
    static long clientId(Jedis admin, String name) {
        long[] id = {-1};
        eventually("a connection named " + name, () -> {
            for (String line : admin.clientList().split("\n")) {
                if (line.contains(" name=" + name + " ")) {
                    for (String field : line.split(" ")) {
                        if (field.startsWith("id=")) {
                            id[0] = Long.parseLong(field.substring(3));
                            return true;
                        }
                    }
                }
            }
            return false;
        });
        return id[0];
    }
}
