package io.execstream.adapters.disk;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;

/**
 * Reads the records of a segment file in order through a 1 MiB buffer, checking each one's
 * length and checksum: the first that fails them, or that runs past the end given, ends the scan,
 * and everything from it on is treated as never written (recovery cuts the file there).
 */
final class SegmentScanner {
    private static final int BUFFER_BYTES = 1 << 20;

    /** Told of each whole record (its body is {@code buffer[bodyOffset..]}, valid during the call); false stops the scan before it. */
    @FunctionalInterface
    interface Visitor {
        boolean record(long seq, long position, byte[] buffer, int bodyOffset, int bodyLength) throws IOException;
    }

    private SegmentScanner() {
    }

    /**
     * Scans {@code channel} from {@code start} to at most {@code end}.
     *
     * @return the position after the last whole, valid record scanned
     */
    static long scan(FileChannel channel, long start, long end, Visitor visitor) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(
                Channels.newInputStream(channel.position(start)), BUFFER_BYTES));
        long position = start;
        byte[] header = new byte[RecordCodec.HEADER_BYTES];
        byte[] body = new byte[256];
        while (position + RecordCodec.HEADER_BYTES <= end) {
            try {
                in.readFully(header);
            } catch (EOFException e) {
                return position;
            }
            int length = readInt(header, 0);
            int checksum = readInt(header, 4);
            long seq = readLong(header, 8);
            if (length < 1 || length > RecordCodec.MAX_BODY_BYTES || position + RecordCodec.HEADER_BYTES + length > end) {
                return position;
            }
            if (body.length < length + 8) {
                body = new byte[Math.max(length + 8, body.length * 2)];
            }
            // The checksum covers the seq and the body: the seq goes first in the same buffer.
            System.arraycopy(header, 8, body, 0, 8);
            try {
                in.readFully(body, 8, length);
            } catch (EOFException e) {
                return position;
            }
            if (RecordCodec.checksum(body, 0, length + 8) != checksum) {
                return position;
            }
            if (!visitor.record(seq, position, body, 8, length)) {
                return position;
            }
            position += RecordCodec.HEADER_BYTES + length;
        }
        return position;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static long readLong(byte[] b, int at) {
        return ((long) readInt(b, at) << 32) | (readInt(b, at + 4) & 0xffffffffL);
    }
}
