package io.execstream.adapters.disk;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.OutputType;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.PermissionResolution;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.CRC32C;

/**
 * One event as a record of a segment file. A record is a header of {@value #HEADER_BYTES} bytes,
 * {@code length} (int: the bytes after the header), {@code crc} (int: CRC-32C of those bytes) and
 * {@code seq} (long: the event's number in its stream, its id), then the body: a kind byte and the
 * event's fields. Strings are an int length and UTF-8 bytes, -1 for null; numbers are big-endian.
 * The checksum covers the seq too (it is computed over header bytes 8..16 and the body), so a
 * record torn or garbled anywhere fails it and is dropped on recovery.
 *
 * <p>Output, agent and done bodies end with the time the server read the event: a flag byte and,
 * when set, a long of epoch milliseconds. Records written before it was kept end without it, and
 * decode with no time ({@code ts} null).
 */
final class RecordCodec {
    /** Bytes before a record's body. */
    static final int HEADER_BYTES = 16;
    /** The largest body accepted when reading: anything longer is garbage, not a record. */
    static final int MAX_BODY_BYTES = 256 << 20;

    private static final byte OUTPUT_STDOUT = 'o';
    private static final byte OUTPUT_STDERR = 'e';
    private static final byte AGENT = 'a';
    private static final byte INPUT = 'i';
    private static final byte MESSAGE = 'm';
    private static final byte TURN = 't';
    private static final byte PERMISSION = 'p';
    private static final byte RESOLVED = 'r';
    private static final byte DONE = 'd';

    private RecordCodec() {
    }

    /** The whole record of event number {@code seq}, header included. */
    static ByteBuffer encode(long seq, StreamEvent event) {
        if (event instanceof StreamEvent.Output output) {
            return encodeOutput(seq, output);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(HEADER_BYTES + 128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0);
            out.writeInt(0);
            out.writeLong(seq);
            writeBody(out, event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer record = ByteBuffer.wrap(bytes.toByteArray());
        int bodyLength = record.capacity() - HEADER_BYTES;
        record.putInt(0, bodyLength);
        record.putInt(4, checksum(record.array(), 8, record.capacity() - 8));
        return record;
    }

    /**
     * An output event's record, the bulk of every stream, made in one array of its size: in the
     * format {@link #decodeBody} reads (kind, length, text, time), with one copy of the text.
     */
    private static ByteBuffer encodeOutput(long seq, StreamEvent.Output output) {
        ByteBuffer text = output.utf8();
        Instant ts = output.ts();
        int bodyLength = 1 + 4 + text.remaining() + 1 + (ts == null ? 0 : 8);
        ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + bodyLength);
        record.putInt(bodyLength).putInt(0).putLong(seq);
        record.put(output.type() == OutputType.STDOUT ? OUTPUT_STDOUT : OUTPUT_STDERR);
        record.putInt(text.remaining()).put(text);
        record.put((byte) (ts == null ? 0 : 1));
        if (ts != null) {
            record.putLong(ts.toEpochMilli());
        }
        record.putInt(4, checksum(record.array(), 8, record.capacity() - 8));
        return record.clear();
    }

    /** The checksum a record's header holds, over {@code length} bytes of {@code array} from {@code offset}. */
    static int checksum(byte[] array, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(array, offset, length);
        return (int) crc.getValue();
    }

    /** The event in a record's body (the bytes after its header), {@code length} bytes of {@code buffer} from {@code offset}. */
    static StreamEvent decodeBody(byte[] buffer, int offset, int length) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(buffer, offset, length));
        byte kind = in.readByte();
        return switch (kind) {
            case OUTPUT_STDOUT, OUTPUT_STDERR -> StreamEvent.Output.ofUtf8(
                    kind == OUTPUT_STDOUT ? OutputType.STDOUT : OutputType.STDERR, readBytes(in), readTime(in));
            case AGENT -> new StreamEvent.Agent(readString(in), readTime(in));
            case INPUT -> new StreamEvent.Input(readString(in), in.readBoolean());
            case MESSAGE -> new StreamEvent.Message(readString(in), in.readInt(), in.readBoolean());
            case TURN -> new StreamEvent.Turn(new AgentTurn(in.readInt(), readString(in), in.readBoolean(),
                    readDouble(in), readDouble(in), readString(in), readLong(in)));
            case PERMISSION -> new StreamEvent.Permission(new PermissionRequest(readString(in), readString(in),
                    readString(in), readString(in), readInstant(in)));
            case RESOLVED -> new StreamEvent.PermissionResolved(new PermissionResolution(readString(in),
                    PermissionResolution.Outcome.valueOf(readString(in)), readString(in), readInstant(in),
                    readString(in)));
            case DONE -> readDone(in);
            default -> throw new IOException("unknown record kind " + kind);
        };
    }

    private static void writeBody(DataOutputStream out, StreamEvent event) throws IOException {
        if (event instanceof StreamEvent.Agent a) {
            out.writeByte(AGENT);
            writeString(out, a.json());
            writeTime(out, a.ts());
        } else if (event instanceof StreamEvent.Input i) {
            out.writeByte(INPUT);
            writeString(out, i.data());
            out.writeBoolean(i.eof());
        } else if (event instanceof StreamEvent.Message m) {
            out.writeByte(MESSAGE);
            writeString(out, m.prompt());
            out.writeInt(m.turn());
            out.writeBoolean(m.queued());
        } else if (event instanceof StreamEvent.Turn t) {
            AgentTurn turn = t.turn();
            out.writeByte(TURN);
            out.writeInt(turn.number());
            writeString(out, turn.subtype());
            out.writeBoolean(turn.isError());
            writeDouble(out, turn.costUsd());
            writeDouble(out, turn.runCostUsd());
            writeString(out, turn.usageJson());
            writeLong(out, turn.durationMs());
        } else if (event instanceof StreamEvent.Permission p) {
            PermissionRequest r = p.request();
            out.writeByte(PERMISSION);
            writeString(out, r.requestId());
            writeString(out, r.toolName());
            writeString(out, r.inputJson());
            writeString(out, r.reason());
            writeInstant(out, r.expiresAt());
        } else if (event instanceof StreamEvent.PermissionResolved p) {
            PermissionResolution r = p.resolution();
            out.writeByte(RESOLVED);
            writeString(out, r.requestId());
            writeString(out, r.outcome().name());
            writeString(out, r.decidedBy());
            writeInstant(out, r.decidedAt());
            writeString(out, r.message());
        } else if (event instanceof StreamEvent.Done d) {
            out.writeByte(DONE);
            writeInt(out, d.exitCode());
            out.writeLong(d.durationMs());
            writeString(out, d.status().name());
            writeString(out, d.message());
            AgentResult a = d.agent();
            out.writeBoolean(a != null);
            if (a != null) {
                writeString(out, a.sessionId());
                out.writeBoolean(a.isError());
                writeString(out, a.subtype());
                writeInt(out, a.numTurns());
                writeDouble(out, a.totalCostUsd());
                writeString(out, a.usageJson());
                writeDouble(out, a.sessionCostUsd());
            }
            writeTime(out, d.ts());
        } else {
            throw new IllegalArgumentException("no record format for " + event.getClass().getSimpleName());
        }
    }

    private static StreamEvent.Done readDone(DataInputStream in) throws IOException {
        Integer exitCode = readInt(in);
        long durationMs = in.readLong();
        StreamStatus status = StreamStatus.valueOf(readString(in));
        String message = readString(in);
        AgentResult agent = null;
        if (in.readBoolean()) {
            agent = new AgentResult(readString(in), in.readBoolean(), readString(in), readInt(in), readDouble(in),
                    readString(in), readDouble(in));
        }
        return new StreamEvent.Done(exitCode, durationMs, status, message, agent, readTime(in));
    }

    private static void writeTime(DataOutputStream out, Instant ts) throws IOException {
        writeLong(out, ts == null ? null : ts.toEpochMilli());
    }

    /** The body's last field, the event's time; null in a record written before it was kept. */
    private static Instant readTime(DataInputStream in) throws IOException {
        if (in.available() == 0) {
            return null;
        }
        Long millis = readLong(in);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] utf8 = readBytes(in);
        return utf8 == null ? null : new String(utf8, StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] utf8 = in.readNBytes(length);
        if (utf8.length < length) {
            throw new IOException("record ends inside a string");
        }
        return utf8;
    }

    private static void writeInt(DataOutputStream out, Integer value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeInt(value);
        }
    }

    private static Integer readInt(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readInt() : null;
    }

    private static void writeLong(DataOutputStream out, Long value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeLong(value);
        }
    }

    private static Long readLong(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }

    private static void writeDouble(DataOutputStream out, Double value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeDouble(value);
        }
    }

    private static Double readDouble(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readDouble() : null;
    }

    private static void writeInstant(DataOutputStream out, Instant value) throws IOException {
        writeString(out, value == null ? null : value.toString());
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        String text = readString(in);
        return text == null ? null : Instant.parse(text);
    }
}
