package io.execstream.adapters.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.execstream.domain.OutputType;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamStatus;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records keep each event's time, and records written before times were kept still read, without one. */
class RecordCodecTest {
    private static final Instant AT = Instant.parse("2026-12-06T01:02:03.456Z");

    @Test
    void outputAgentAndDoneComeBackWithTheirTimeOrNone() throws IOException {
        List<StreamEvent> events = List.of(
                new StreamEvent.Output(OutputType.STDOUT, "hi €\n", AT),
                StreamEvent.Output.stderr("no time\n"),
                new StreamEvent.Agent("{\"type\":\"system\"}", AT),
                new StreamEvent.Done(0, 5, StreamStatus.EXITED, null, null, AT),
                new StreamEvent.Done(null, 5, StreamStatus.FAILED, "why"));
        for (StreamEvent event : events) {
            ByteBuffer record = RecordCodec.encode(7, event);
            assertEquals(0, record.position());
            assertEquals(record.capacity(), record.limit());
            assertEquals(record.capacity() - RecordCodec.HEADER_BYTES, record.getInt(0), "the body's length");
            assertEquals(RecordCodec.checksum(record.array(), 8, record.capacity() - 8), record.getInt(4), "the checksum");
            assertEquals(7, record.getLong(8), "the number");
            assertEquals(event, RecordCodec.decodeBody(record.array(), RecordCodec.HEADER_BYTES,
                    record.capacity() - RecordCodec.HEADER_BYTES));
        }
    }

    @Test
    void aRecordWrittenBeforeTimesWereKeptHasNone() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte('o');
        byte[] text = "old\n".getBytes(StandardCharsets.UTF_8);
        out.writeInt(text.length);
        out.write(text);
        byte[] body = bytes.toByteArray();
        StreamEvent.Output output = (StreamEvent.Output) RecordCodec.decodeBody(body, 0, body.length);
        assertEquals("old\n", output.content());
        assertNull(output.ts());
    }
}
