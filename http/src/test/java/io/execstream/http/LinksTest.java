package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.domain.Interaction;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the views of a stream say of what it takes, as the API writes them. */
class LinksTest {
    private static final Links LINKS = new Links(StreamTokens.random(Duration.ofHours(1))).at("/api/");
    private static final StreamId STREAM = StreamId.random();
    private static final String PATH = "/api/projects/p/streams/" + STREAM.value();

    @Test
    void aStreamThatTakesNothingButACancelShowsNoneOfTheTalkingFields() {
        JsonNode view = json(LINKS.view(info(Interaction.NONE)));
        for (String field : List.of("stdin", "interactive", "activity", "turns", "cost_usd", "input_url", "messages_url",
                "interrupt_url", "close_url")) {
            assertFalse(view.has(field), () -> field + " in " + view);
        }
        JsonNode started = json(LINKS.started(info(Interaction.NONE)));
        assertEquals(List.of("stream_id", "stream_url", "status_url"), fields(started));
    }

    @Test
    void aCommandWithStdinShowsWhereItsInputGoes() {
        JsonNode view = json(LINKS.view(info(Interaction.STDIN)));
        assertTrue(view.path("stdin").asBoolean(), view::toString);
        assertEquals(PATH + "/input", view.path("input_url").asText());
        assertEquals(PATH + "/close", view.path("close_url").asText());
        assertFalse(view.has("messages_url") || view.has("interactive") || view.has("turns"), view::toString);
        JsonNode started = json(LINKS.started(info(Interaction.STDIN)));
        assertEquals(List.of("stream_id", "stream_url", "status_url", "stdin", "input_url", "close_url"), fields(started));
    }

    @Test
    void aLiveSessionShowsItsActivityTurnsAndCostWhichIsNullUntilKnown() {
        JsonNode starting = json(LINKS.view(info(Interaction.SESSION)));
        assertTrue(starting.path("interactive").asBoolean(), starting::toString);
        assertEquals("working", starting.path("activity").asText());
        assertEquals(0, starting.path("turns").asInt(-1));
        assertTrue(starting.has("cost_usd") && starting.get("cost_usd").isNull(), starting::toString);
        assertEquals(PATH + "/messages", starting.path("messages_url").asText());
        assertEquals(PATH + "/interrupt", starting.path("interrupt_url").asText());
        assertEquals(PATH + "/close", starting.path("close_url").asText());
        assertFalse(starting.has("input_url") || starting.has("stdin"), starting::toString);

        StreamInfo idle = info(Interaction.SESSION).withSession(new SessionState(SessionState.Activity.IDLE, 2, 0.5));
        JsonNode view = json(LINKS.view(idle));
        assertEquals("idle", view.path("activity").asText());
        assertEquals(2, view.path("turns").asInt());
        assertEquals(0.5, view.path("cost_usd").asDouble());

        // Once it has ended, whether a turn runs says nothing; the totals stay.
        JsonNode ended = json(LINKS.view(idle.finish(new StreamEvent.Done(0, 5, StreamStatus.EXITED, null), "9")));
        assertFalse(ended.has("activity"), ended::toString);
        assertEquals(2, ended.path("turns").asInt());
        assertEquals(0.5, ended.path("cost_usd").asDouble());
    }

    private static StreamInfo info(Interaction interaction) {
        return StreamInfo.started(STREAM, ProjectId.of("p"), Instant.parse("2026-01-01T00:00:00Z"), interaction);
    }

    private static JsonNode json(Object view) {
        return ApiJson.MAPPER.valueToTree(view);
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
