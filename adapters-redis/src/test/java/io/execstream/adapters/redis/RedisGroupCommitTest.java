package io.execstream.adapters.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.PublishedEvent;
import io.execstream.testkit.RecordingSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The group commit: many events per round trip, order and ids kept, nothing seen before it is stored. */
class RedisGroupCommitTest extends RedisNodesFixture {
    // Below a subscriber's buffer (4,096 events), which a tight loop of appends could outrun.
    private static final int EVENTS = 3_000;

    @Test
    void aBurstIsWrittenInFewRoundTripsInOrderAndCompleteReturnsOnceItIsStored() {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(15));
        RedisStreamPublisher b = node("b", Duration.ofSeconds(15));
        StreamId s = openOn(a);
        RecordingSubscriber onA = new RecordingSubscriber();
        RecordingSubscriber onB = new RecordingSubscriber();
        a.subscribe(s, null, onA);
        b.subscribe(s, null, onB);
        long callsBefore = scriptCalls();

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            ids.add(a.append(s, StreamEvent.Output.stdout("line " + i + "\n")));
        }
        ids.add(a.complete(s, new StreamEvent.Done(0, 10, StreamStatus.EXITED, null)));

        // complete returned: the whole stream is stored, so every node finds it finished at once.
        StreamInfo found = b.find(s).orElseThrow();
        assertEquals(StreamStatus.EXITED, found.status());
        assertEquals(ids.get(EVENTS), found.doneEventId());
        long calls = scriptCalls() - callsBefore;
        assertTrue(calls < EVENTS / 10, EVENTS + " events took " + calls + " script calls");

        for (int i = 0; i < ids.size(); i++) {
            assertEquals((i + 1) + "-0", ids.get(i));
        }
        for (RecordingSubscriber r : List.of(onA, onB)) {
            r.awaitDone(TIMEOUT);
            r.assertWellBehaved();
            assertTrue(r.gap().isEmpty());
            assertEquals(ids, r.events().stream().map(PublishedEvent::id).toList());
            assertEquals("line " + (EVENTS - 1) + "\n", r.outputs().get(EVENTS - 1));
        }
    }

    @Test
    void aSubscriberOnTheWritingNodeSeesAnEventOnlyOnceRedisHasIt() {
        RedisStreamPublisher a = node("a", Duration.ofSeconds(15));
        StreamId s = openOn(a);
        List<String> early = new CopyOnWriteArrayList<>();
        try (Jedis jedis = new Jedis(server.uri())) {
            RecordingSubscriber onA = new RecordingSubscriber(event -> {
                long n = EventCodec.seqOf(event.id());
                long stored;
                synchronized (jedis) {
                    stored = Long.parseLong(jedis.hget(prefix + "s:" + s.value(), "seq"));
                }
                if (stored < n) {
                    early.add(event.id() + " before Redis had it (seq " + stored + ")");
                }
            });
            a.subscribe(s, null, onA);
            for (int i = 0; i < 2_000; i++) {
                a.append(s, StreamEvent.Output.stdout(i + "\n"));
            }
            a.complete(s, new StreamEvent.Done(0, 10, StreamStatus.EXITED, null));
            onA.awaitDone(TIMEOUT);
            assertEquals(2_001, onA.events().size());
        }
        assertEquals(List.of(), early);
    }

    /** How many scripts the shared server has run so far. */
    private static long scriptCalls() {
        try (Jedis jedis = new Jedis(server.uri())) {
            long calls = 0;
            for (String line : jedis.info("commandstats").split("\r?\n")) {
                if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                    calls += Long.parseLong(line.replaceAll("^cmdstat_\\w+:calls=(\\d+),.*", "$1"));
                }
            }
            return calls;
        }
    }
}
