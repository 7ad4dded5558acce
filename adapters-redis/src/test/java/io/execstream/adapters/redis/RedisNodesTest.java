package io.execstream.adapters.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.Interaction;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import io.execstream.domain.AgentResult;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber.CloseReason;
import io.execstream.testkit.RecordingSubscriber;
import io.execstream.testkit.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Several nodes (publishers) sharing one Redis, as several servers behind a load balancer would. */
class RedisNodesTest extends RedisNodesFixture {

    @Test
    void streamWrittenOnOneNodeIsServedResumedListedAndFoundOnAnother() {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(15));
        RedisStreamPublisher b = node("b", Duration.ofSeconds(15));
        StreamId s = StreamId.random();
        Instant started = Instant.parse("2030-01-01T00:00:00.123456789Z");
        a.open(StreamInfo.started(s, PROJECT, started));

        RecordingSubscriber live = new RecordingSubscriber();
        b.subscribe(s, null, live);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(a.append(s, StreamEvent.Output.stdout("line " + i + "\n")));
        }
        ids.add(a.append(s, new StreamEvent.Agent("{\"type\":\"assistant\",\"text\":\"héllo 😀\"}")));
        assertEquals("1-0", ids.get(0));
        assertEquals("101-0", ids.get(100));

        // Metadata from the other node.
        StreamInfo running = b.find(s).orElseThrow();
        assertEquals(StreamStatus.RUNNING, running.status());
        assertEquals(started, running.startedAt());
        assertEquals(List.of(s), b.list(PROJECT, 10).stream().map(StreamInfo::id).toList());

        // Resume on B from an id handed out by A, while it runs. append returns before the group
        // commit has stored the event, so first wait until B has seen it, as a client resuming
        // with an id it was sent has.
        live.awaitEvents(50, TIMEOUT);
        RecordingSubscriber resumed = new RecordingSubscriber();
        b.subscribe(s, ids.get(49), resumed);
        resumed.awaitEvents(51, TIMEOUT);

        AgentResult agent = new AgentResult("sess-1", false, "success", 3, 0.0123, "{\"input_tokens\":5}");
        StreamEvent.Done done = new StreamEvent.Done(2, 1500, StreamStatus.EXITED, null, agent);
        String doneId = a.complete(s, done);
        assertEquals("102-0", doneId);

        PublishedEvent last = live.awaitDone(TIMEOUT);
        assertEquals(done, last.event());
        assertEquals(doneId, last.id());
        List<String> got = live.events().stream().map(PublishedEvent::id).toList();
        List<String> expected = new ArrayList<>(ids);
        expected.add(doneId);
        assertEquals(expected, got);
        assertEquals(new StreamEvent.Agent("{\"type\":\"assistant\",\"text\":\"héllo 😀\"}"),
                live.events().get(100).event());
        live.assertWellBehaved();

        resumed.awaitDone(TIMEOUT);
        assertEquals(expected.subList(50, expected.size()),
                resumed.events().stream().map(PublishedEvent::id).toList());
        resumed.assertWellBehaved();

        StreamInfo finished = b.find(s).orElseThrow();
        assertEquals(StreamStatus.EXITED, finished.status());
        assertEquals(2, finished.exitCode());
        assertEquals(1500L, finished.durationMs());
        assertEquals(doneId, finished.doneEventId());

        // After it finished: resume on B from A's ids, and the done id gives only ENDED.
        RecordingSubscriber late = new RecordingSubscriber();
        b.subscribe(s, ids.get(97), late);
        late.awaitDone(TIMEOUT);
        assertEquals(expected.subList(98, expected.size()), late.events().stream().map(PublishedEvent::id).toList());
        RecordingSubscriber afterDone = new RecordingSubscriber();
        b.subscribe(s, doneId, afterDone);
        assertEquals(CloseReason.ENDED, afterDone.awaitClosed(TIMEOUT));
        assertTrue(afterDone.events().isEmpty());

        // Ids past the last one, or of another form, are invalid on every node.
        for (String bad : List.of("103-0", "5", "5-1", "-1-0", "01-0", "abc")) {
            assertThrows(InvalidInputException.class, () -> b.subscribe(s, bad, new RecordingSubscriber()), bad);
        }
        // Only the writing node may write.
        assertThrows(IllegalStateException.class, () -> b.append(StreamId.random(), StreamEvent.Output.stdout("x")));
    }

    @Test
    void cancelRequestedOnOneNodeReachesTheHandlerOfAnother() throws InterruptedException {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(15));
        RedisStreamPublisher b = node("b", Duration.ofSeconds(15));
        BlockingQueue<StreamId> onA = new LinkedBlockingQueue<>();
        a.cancelRelay().onCancelRequest(onA::add);
        StreamId s = StreamId.random();
        a.open(StreamInfo.started(s, PROJECT, Instant.now()));

        // The subscription may still be connecting: ask until it arrives (delivery is at least once).
        StreamId received = null;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (received == null && System.nanoTime() < deadline) {
            b.cancelRelay().requestCancel(s);
            received = onA.poll(200, TimeUnit.MILLISECONDS);
        }
        assertEquals(s, received);
    }

    @Test
    void aCancelMissedOnTheChannelIsSeenOnTheNextLeaseTick() throws InterruptedException {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(1));
        RedisStreamPublisher b = node("b", Duration.ofSeconds(1));
        StreamId s = StreamId.random();
        a.open(StreamInfo.started(s, PROJECT, Instant.now()));
        b.cancelRelay().requestCancel(s); // no handler on A yet: the message is missed

        BlockingQueue<StreamId> onA = new LinkedBlockingQueue<>();
        a.cancelRelay().onCancelRequest(onA::add);
        assertEquals(s, onA.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aNodeThatStopsRenewingItsLeaseHasItsStreamsFailedByAnother() {
        Duration lease = Duration.ofSeconds(1);
        RedisStreamPublisher a = node("dying", lease);
        RedisStreamPublisher b = node("survivor", lease);
        RedisStreamPublisher c = node("other-survivor", lease);
        StreamId s = StreamId.random();
        a.open(StreamInfo.started(s, PROJECT, Instant.now()));
        a.append(s, StreamEvent.Output.stdout("one\n"));
        a.append(s, StreamEvent.Output.stdout("two\n"));
        RecordingSubscriber onB = new RecordingSubscriber();
        b.subscribe(s, null, onB);
        RecordingSubscriber onC = new RecordingSubscriber();
        c.subscribe(s, null, onC);

        long stopped = System.nanoTime();
        a.stopRenewingLease();
        PublishedEvent done = onB.awaitDone(TIMEOUT);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        assertTrue(tookMillis < lease.toMillis() * 3 + 1000, "failed over after " + tookMillis + " ms");
        assertEquals("3-0", done.id());
        StreamEvent.Done d = (StreamEvent.Done) done.event();
        assertEquals(StreamStatus.FAILED, d.status());
        assertNull(d.exitCode());
        assertEquals("node dying stopped renewing its lease", d.message());
        assertEquals(List.of("one\n", "two\n"), onB.outputs());
        // Both survivors saw it, and exactly one done was written.
        onC.awaitDone(TIMEOUT);
        assertEquals(3, onC.events().size());

        StreamInfo info = b.find(s).orElseThrow();
        assertEquals(StreamStatus.FAILED, info.status());
        assertEquals("3-0", info.doneEventId());
        eventually("the dead node is forgotten", () -> {
            try (Jedis jedis = new Jedis(java.net.URI.create(server.uri()))) {
                return jedis.zscore(prefix + "nodes", "dying") == null && !jedis.exists(prefix + "n:dying");
            }
        });
        // Writes of the presumed-dead node do not disturb the core, and change nothing.
        a.append(s, StreamEvent.Output.stdout("late\n"));
        assertEquals("3-0", b.find(s).orElseThrow().doneEventId());
    }

    @Test
    void aLiveSessionsStateSetOnOneNodeIsShownByAnother() {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(15));
        RedisStreamPublisher b = node("b", Duration.ofSeconds(15));
        StreamId s = StreamId.random();
        a.open(StreamInfo.started(s, PROJECT, Instant.now(), Interaction.SESSION));
        assertEquals(SessionState.starting(), b.find(s).orElseThrow().session());
        SessionState idle = new SessionState(SessionState.Activity.IDLE, 1, 0.0425);
        a.updateSession(s, idle);
        assertEquals(idle, b.find(s).orElseThrow().session());
        assertEquals(idle, b.list(PROJECT, 5).get(0).session());
        assertThrows(IllegalStateException.class, () -> b.updateSession(s, idle), "only the writing node updates it");
        StreamId plain = openOn(a);
        assertThrows(IllegalArgumentException.class, () -> a.updateSession(plain, idle), "not a live session");
    }

    @Test
    void buildFailsFastWhenNothingListens() {
        int port = RedisServer.freePort();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RedisStreamPublisher.builder().redisUri("redis://127.0.0.1:" + port).build());
        assertTrue(e.getMessage().startsWith("cannot reach Redis at redis://127.0.0.1:" + port + ": "), e.getMessage());
    }

    @Test
    void malformedUriIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RedisStreamPublisher.builder().redisUri("http://x").build());
    }

    @Test
    void historyCapIsExactAndTheBudgetIsSharedAcrossNodes() {
        HistoryLimits limits = new HistoryLimits(1000, 3000, Duration.ofHours(1));
        RedisStreamPublisher a = RedisStreamPublisher.builder().redisUri(server.uri()).keyPrefix(prefix)
                .limits(limits).build();
        nodes.add(a);
        RedisStreamPublisher b = RedisStreamPublisher.builder().redisUri(server.uri()).keyPrefix(prefix)
                .limits(limits).build();
        nodes.add(b);
        List<StreamId> finished = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            RedisStreamPublisher writer = k % 2 == 0 ? a : b;
            StreamId s = StreamId.random();
            writer.open(StreamInfo.started(s, PROJECT, Instant.parse("2030-01-01T00:00:00Z").plusSeconds(k)));
            for (int i = 0; i < 30; i++) {
                writer.append(s, StreamEvent.Output.stdout("x".repeat(99) + "\n"));
            }
            writer.complete(s, new StreamEvent.Done(0, 1, StreamStatus.EXITED, null));
            finished.add(s);
        }
        // Each keeps 1000 bytes at most: 9 outputs and its done (964 bytes); 4 of them exceed 3000.
        assertTrue(a.find(finished.get(0)).isEmpty(), "the first finished stream is evicted");
        for (int k = 1; k < 4; k++) {
            RecordingSubscriber r = new RecordingSubscriber();
            a.subscribe(finished.get(k), null, r);
            r.awaitDone(TIMEOUT);
            assertEquals(21, r.gap().orElseThrow());
            assertEquals(9, r.outputs().size());
        }
    }
}
