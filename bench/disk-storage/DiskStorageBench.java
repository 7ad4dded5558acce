import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The measurement behind the disk publisher's storage (docs/disk.md): one stream's events appended
 * by one thread with a group commit (an fsync) every 5 ms, then read back from the middle, the size
 * on disk, and what is left after the file's tail is torn. Run by bench/disk-storage/run.sh.
 */
public final class DiskStorageBench {
    static final long COMMIT_NANOS = 5_000_000;

    interface Store extends AutoCloseable {
        void append(long seq, byte[] payload) throws Exception;

        /** Makes what was appended durable: the group commit. */
        void commit() throws Exception;

        /** Reads every event after {@code seq}; the bytes read. */
        long readAfter(long seq) throws Exception;

        long bytesOnDisk() throws IOException;

        /** Without a clean close: as a killed process leaves it. */
        void abandon() throws Exception;

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int small = Integer.parseInt(args[1]);
        int large = Integer.parseInt(args[2]);
        System.out.printf(Locale.ROOT, "%-9s %-7s %9s %10s %10s %10s %12s %s%n",
                "storage", "event", "events", "append/s", "append MB/s", "read MB/s", "disk/payload", "torn tail: events readable after reopen (recovery ms)");
        for (int[] run : new int[][] {{1024, small}, {64 * 1024, large}}) {
            for (String kind : List.of("segments", "mvstore", "sqlite")) {
                Path where = Files.createDirectories(dir.resolve(kind + "-" + run[0]));
                measure(kind, where, run[0], run[1]);
            }
        }
    }

    static Store open(String kind, Path where) throws Exception {
        return switch (kind) {
            case "segments" -> new Segments(where);
            case "mvstore" -> new MvStore(where);
            default -> new Sqlite(where);
        };
    }

    static void measure(String kind, Path where, int size, int count) throws Exception {
        Random random = new Random(42);
        byte[][] payloads = new byte[16][];
        for (int i = 0; i < payloads.length; i++) {
            // Log-like text, not zeros: no storage gets to compress it away.
            StringBuilder text = new StringBuilder(size);
            while (text.length() < size) {
                text.append("line ").append(random.nextInt(1_000_000)).append(" of some build output\n");
            }
            payloads[i] = text.substring(0, size).getBytes();
        }
        Store store = open(kind, where);
        long start = System.nanoTime();
        long lastCommit = start;
        for (int i = 1; i <= count; i++) {
            store.append(i, payloads[i % payloads.length]);
            long now = System.nanoTime();
            if (now - lastCommit >= COMMIT_NANOS) {
                store.commit();
                lastCommit = now;
            }
        }
        store.commit();
        double seconds = (System.nanoTime() - start) / 1e9;
        long readStart = System.nanoTime();
        long read = store.readAfter(count / 2);
        double readSeconds = (System.nanoTime() - readStart) / 1e9;
        long disk = store.bytesOnDisk();
        // Ten more events the process never commits, then the tail of the newest file is torn.
        for (int i = count + 1; i <= count + 10; i++) {
            store.append(i, payloads[0]);
        }
        store.abandon();
        Path torn = Files.createDirectories(where.resolveSibling(where.getFileName() + "-torn"));
        copyTorn(where, torn, size / 3);
        String recovered;
        long recoverStart = System.nanoTime();
        try (Store again = open(kind, torn)) {
            long events = again.readAfter(0) / size;
            recovered = events + " (" + (System.nanoTime() - recoverStart) / 1_000_000 + ")";
        } catch (Exception e) {
            recovered = "failed to open: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        System.out.printf(Locale.ROOT, "%-9s %-7s %9d %10.0f %10.1f %10.1f %12.2f %s%n", kind,
                size / 1024 + " KiB", count, count / seconds, (double) count * size / seconds / 1e6,
                read / readSeconds / 1e6, (double) disk / ((long) count * size), recovered);
    }

    /** Copies {@code from} with {@code cut} bytes cut off the end of its newest file. */
    static void copyTorn(Path from, Path to, int cut) throws IOException {
        Path newest = null;
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                if (newest == null || Files.getLastModifiedTime(f).compareTo(Files.getLastModifiedTime(newest)) > 0) {
                    newest = f;
                }
            }
        }
        try (FileChannel ch = FileChannel.open(to.resolve(newest.getFileName()), StandardOpenOption.WRITE)) {
            ch.truncate(Math.max(0, ch.size() - cut));
        }
    }

    /** Append-only segment files of records {length, crc32c, seq, payload}, a sparse index in memory. */
    static final class Segments implements Store {
        static final long SEGMENT_BYTES = 64L << 20;
        static final int HEADER = 16;
        final Path dir;
        final List<long[]> index = new ArrayList<>(); // {seq, segment number, position}
        FileChannel current;
        int segment;
        long lastIndexed = -1;

        Segments(Path dir) throws IOException {
            this.dir = dir;
            recover();
        }

        Path file(int n) {
            return dir.resolve(String.format("%08d.seg", n));
        }

        void recover() throws IOException {
            // Reads every segment, keeps the records whose checksum holds, and cuts the file
            // after the last of them: a torn record is dropped.
            int n = 0;
            while (Files.exists(file(n + 1))) {
                n++;
            }
            segment = Math.max(n, 1);
            for (int s = 1; s <= n; s++) {
                try (FileChannel ch = FileChannel.open(file(s), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    long valid = scan(ch, s, Long.MIN_VALUE, null);
                    if (valid < ch.size()) {
                        ch.truncate(valid);
                    }
                }
            }
            current = FileChannel.open(file(segment), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            current.position(current.size());
        }

        /** Scans segment {@code s} from its index entry at or before {@code after}; the end of its valid records. */
        long scan(FileChannel ch, int s, long after, long[] bytes) throws IOException {
            long position = 0;
            if (after != Long.MIN_VALUE) {
                for (long[] entry : index) {
                    if (entry[1] == s && entry[0] <= after + 1) {
                        position = entry[2];
                    }
                }
            }
            // Read through a 1 MiB buffer, as the publisher's replay does: one read call per MiB.
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch.position(position)), 1 << 20));
            long size = ch.size();
            CRC32C crc = new CRC32C();
            byte[] payload = new byte[0];
            while (true) {
                if (position + HEADER > size) {
                    return position;
                }
                int length = in.readInt();
                int sum = in.readInt();
                long seq = in.readLong();
                if (length < 0 || position + HEADER + length > size) {
                    return position;
                }
                if (payload.length < length) {
                    payload = new byte[length];
                }
                in.readFully(payload, 0, length);
                crc.reset();
                crc.update(payload, 0, length);
                if ((int) crc.getValue() != sum) {
                    return position;
                }
                if (after == Long.MIN_VALUE) {
                    indexIfDue(seq, s, position);
                } else if (seq > after) {
                    bytes[0] += length;
                }
                position += HEADER + length;
            }
        }

        void indexIfDue(long seq, int s, long position) {
            if (lastIndexed < 0 || position - lastIndexed >= 64 * 1024 || position == 0) {
                index.add(new long[] {seq, s, position});
                lastIndexed = position;
            }
        }

        @Override
        public void append(long seq, byte[] payload) throws IOException {
            if (current.size() >= SEGMENT_BYTES) {
                current.force(false);
                current.close();
                current = FileChannel.open(file(++segment), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
                lastIndexed = -1;
            }
            CRC32C crc = new CRC32C();
            crc.update(payload);
            ByteBuffer record = ByteBuffer.allocate(HEADER + payload.length);
            record.putInt(payload.length).putInt((int) crc.getValue()).putLong(seq).put(payload).flip();
            long position = current.position();
            while (record.hasRemaining()) {
                current.write(record);
            }
            indexIfDue(seq, segment, position);
        }

        @Override
        public void commit() throws IOException {
            current.force(false);
        }

        @Override
        public long readAfter(long seq) throws IOException {
            long[] bytes = {0};
            for (int s = 1; s <= segment; s++) {
                try (FileChannel ch = FileChannel.open(file(s), StandardOpenOption.READ)) {
                    scan(ch, s, seq, bytes);
                }
            }
            return bytes[0];
        }

        @Override
        public long bytesOnDisk() throws IOException {
            long total = 0;
            for (int s = 1; s <= segment; s++) {
                total += Files.size(file(s));
            }
            return total;
        }

        @Override
        public void abandon() {
        }

        @Override
        public void close() throws IOException {
            current.close();
        }
    }

    /** One H2 MVStore file, a map of seq to payload; a commit and a sync every 5 ms. */
    static final class MvStore implements Store {
        final Path file;
        final MVStore store;
        final MVMap<Long, byte[]> events;

        MvStore(Path dir) {
            file = dir.resolve("events.mv");
            store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
            events = store.openMap("events");
        }

        @Override
        public void append(long seq, byte[] payload) {
            events.put(seq, payload);
        }

        @Override
        public void commit() {
            store.commit();
            store.sync();
        }

        @Override
        public long readAfter(long seq) {
            long bytes = 0;
            var cursor = events.cursor(seq + 1);
            while (cursor.hasNext()) {
                cursor.next();
                bytes += cursor.getValue().length;
            }
            return bytes;
        }

        @Override
        public long bytesOnDisk() throws IOException {
            return Files.size(file);
        }

        @Override
        public void abandon() {
            store.closeImmediately();
        }

        @Override
        public void close() {
            if (!store.isClosed()) {
                store.close();
            }
        }
    }

    /** SQLite in WAL mode, synchronous=FULL, one transaction committed every 5 ms. */
    static final class Sqlite implements Store {
        final Path dir;
        final Connection db;
        final PreparedStatement insert;

        Sqlite(Path dir) throws Exception {
            this.dir = dir;
            db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("events.db"));
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
            }
            db.setAutoCommit(false);
            insert = db.prepareStatement("INSERT INTO events (seq, payload) VALUES (?, ?)");
        }

        @Override
        public void append(long seq, byte[] payload) throws Exception {
            insert.setLong(1, seq);
            insert.setBytes(2, payload);
            insert.executeUpdate();
        }

        @Override
        public void commit() throws Exception {
            db.commit();
        }

        @Override
        public long readAfter(long seq) throws Exception {
            long bytes = 0;
            try (PreparedStatement select = db.prepareStatement("SELECT payload FROM events WHERE seq > ? ORDER BY seq")) {
                select.setLong(1, seq);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        bytes += rows.getBytes(1).length;
                    }
                }
            }
            return bytes;
        }

        @Override
        public long bytesOnDisk() throws IOException {
            long total = 0;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    total += Files.size(f);
                }
            }
            return total;
        }

        @Override
        public void abandon() throws Exception {
            // The connection stays open, as a killed process's would: nothing is checkpointed.
            // Leaking it is harmless in a benchmark that ends soon.
        }

        @Override
        public void close() throws Exception {
            db.close();
        }
    }

}
