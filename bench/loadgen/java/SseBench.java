import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmarks' second client, independent of the Node.js load generator (bench/loadgen/loadgen.js):
 * a different language, HTTP stack and SSE parser, so that a figure which only one client shows is
 * seen for what it is. Prints {"phase":"connected",...} once every subscriber has its response head,
 * then one JSON object with the results, in the load generator's field names.
 *
 * <pre>
 *   java -cp DIR SseBench --base URL --key K --mode bytes|lines [--io httpclient|nio] [--threads N] [--subs N] [--streams S]
 *        (--command CMD | --path PATH) [--expect-bytes B] [--expect-lines L] [--go-file F] [--timeout-s T]
 * </pre>
 *
 * <ul>
 *   <li>{@code bytes}: one subscriber on a plain socket, HTTP/1.1 chunked decoding and SSE parsing on
 *       bytes, counting every output event's content in UTF-8 bytes (the JSON string decoded, escapes
 *       counted as what they stand for); must equal --expect-bytes, then the done event. Nothing is
 *       allocated per event, so that one connection is read at well over what a server sends.</li>
 *   <li>{@code lines}: N subscribers on {@link HttpClient} (asynchronous, two delivery threads), the
 *       stream's lines being {@code "<send time, epoch ms> <seq>"} (gen.js, fifo-gen.js): each must get seq
 *       1..L in order, then done; latency = receipt - send. {@code --io nio}: the same on plain
 *       non-blocking sockets, {@code --threads} selector threads (2), the body decoded as in
 *       {@code bytes}: several times cheaper per event than HttpClient.</li>
 * </ul>
 * With --command and --streams S, S commands are started and subscriber i follows stream i mod S;
 * "{i}" in the command is replaced by the command's number, 0 to S - 1.
 */
public final class SseBench {
    private final Map<String, String> opts;
    private final String mode;
    private final int subs;
    private final int expectLines;
    private final long expectBytes;
    private final long deadlineNanos;
    private final long nanoAtStart = System.nanoTime();
    private final double epochMsAtStart;
    private final List<String> errorSamples = new ArrayList<>();
    private final AtomicInteger errors = new AtomicInteger();

    private SseBench(Map<String, String> opts) {
        this.opts = opts;
        this.mode = opts.getOrDefault("mode", "lines");
        this.subs = Integer.parseInt(opts.getOrDefault("subs", "1"));
        this.expectLines = Integer.parseInt(opts.getOrDefault("expect-lines", "0"));
        this.expectBytes = Long.parseLong(opts.getOrDefault("expect-bytes", "-1"));
        this.deadlineNanos = nanoAtStart + TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("timeout-s", "300")));
        Instant now = Instant.now();
        this.epochMsAtStart = now.getEpochSecond() * 1000.0 + now.getNano() / 1e6;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unknown argument " + args[i]);
            o.put(args[i].substring(2), args[i + 1]);
        }
        SseBench b = new SseBench(o);
        String out = "bytes".equals(b.mode) ? b.runBytes() : "nio".equals(o.get("io")) ? b.runLinesNio() : b.runLines();
        System.out.println(out);
        System.out.flush();
        System.exit(0);
    }

    /** Wall-clock epoch milliseconds, sub-millisecond, from the monotonic clock. */
    private double nowMs() {
        return epochMsAtStart + (System.nanoTime() - nanoAtStart) / 1e6;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void error(String message) {
        errors.incrementAndGet();
        synchronized (errorSamples) {
            if (errorSamples.size() < 5) errorSamples.add(message);
        }
    }

    // ------------------------------------------------------------------ the streams to follow
    private final List<String> paths = new ArrayList<>();
    private double postAt;

    private void resolvePaths(HttpClient http) throws Exception {
        String command = opts.get("command");
        if (command == null) {
            paths.add(opts.get("path"));
            return;
        }
        int streams = Integer.parseInt(opts.getOrDefault("streams", "1"));
        postAt = nowMs();
        for (int i = 0; i < streams; i++) {
            // {i} in the command is the stream's number, for a per-stream input (fifo-gen.js)
            String body = "{\"command\":" + jsonString(command.replace("{i}", Integer.toString(i))) + "}";
            HttpRequest req = HttpRequest.newBuilder(URI.create(opts.get("base") + "/projects/" + opts.getOrDefault("project", "bench") + "/commands"))
                    .header("X-API-Key", opts.get("key")).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 202) throw new IOException("POST " + r.statusCode() + " " + r.body());
            int at = r.body().indexOf("\"stream_url\":\"");
            paths.add(r.body().substring(at + 14, r.body().indexOf('"', at + 14)));
        }
    }

    private void go(double connectedAt, double tStart) throws IOException {
        String goFile = opts.get("go-file");
        if (goFile != null) Files.writeString(Path.of(goFile), "go\n");
        System.out.println("{\"phase\":\"connected\",\"connectMs\":" + (connectedAt - tStart) + "}");
        System.out.flush();
    }

    // ------------------------------------------------------------------ bytes: one plain socket
    private String runBytes() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        resolvePaths(http);
        URI base = URI.create(opts.get("base"));
        double tStart = nowMs();
        ByteReader reader = new ByteReader();
        long cpuGo;
        double goAt;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 30_000);
            socket.setTcpNoDelay(true);
            socket.setReceiveBufferSize(1 << 20);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + paths.get(0) + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nAccept: text/event-stream\r\nX-API-Key: " + opts.get("key") + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[1 << 20];
            cpuGo = cpuNanos();
            goAt = nowMs();
            boolean announced = false;
            while (!reader.finished()) {
                if (System.nanoTime() > deadlineNanos) { reader.timedOut = true; break; }
                int n;
                try { n = in.read(buf); } catch (java.net.SocketTimeoutException e) { continue; }
                if (n < 0) break;
                reader.http.feed(buf, 0, n);
                if (!announced && reader.http.status != 0) { announced = true; go(nowMs(), tStart); }
            }
        }
        double endAt = nowMs();
        long cpu = cpuNanos() - cpuGo;
        boolean ok = reader.http.status == 200 && reader.gotDone && !reader.timedOut && errors.get() == 0
                && (expectBytes < 0 || reader.contentBytes == expectBytes);
        if (reader.gotDone && expectBytes >= 0 && reader.contentBytes != expectBytes)
            error("subscriber got " + reader.contentBytes + " of " + expectBytes + " bytes");
        if (!reader.gotDone) error("closed before done after head " + reader.http.status);
        Json j = new Json().put("client", "java-socket").put("mode", mode).put("subs", 1)
                .put("ok200", reader.http.status == 200 ? 1 : 0).put("done", reader.gotDone ? 1 : 0)
                .put("bytes", reader.contentBytes).put("wireBytes", reader.http.bodyBytes).put("events", reader.events)
                .put("gaps", reader.gaps).put("badSeq", 0).put("dropped", reader.gotDone ? 0 : 1).put("lines", 0)
                .put("runMs", endAt - goAt).put("totalMs", endAt - tStart)
                .put("cpuMs", cpu / 1e6).put("cpuTotalMs", cpuNanos() / 1e6).put("cpuPct", 100.0 * cpu / 1e6 / (endAt - goAt))
                .put("doneBody", reader.doneBody).put("timedOut", reader.timedOut);
        if (postAt > 0) j.put("postToDoneMs", reader.doneAt - postAt);
        return finish(j, ok).toString();
    }

    /**
     * SSE parsed on a body's bytes as they come: a line split across reads is carried over; a data
     * line goes to {@link #data} with the event's name so far (execstream and the peers write
     * {@code event:} first), the blank line ending an event to {@link #end}.
     */
    private abstract static class SseBytes {
        private byte[] line = new byte[256]; // grows to the longest line split across reads: 10,000 subscribers each hold one
        private int lineLen;
        protected String event = "message";

        abstract void data(byte[] b, int off, int len);

        abstract void end();

        /** Whether the stream has given what was waited for (its done event): the rest is not read. */
        boolean satisfied() {
            return false;
        }

        final void body(byte[] b, int off, int len) {
            int end = off + len;
            while (off < end) {
                int nl = indexOf(b, off, end, (byte) '\n');
                if (nl < 0) { append(b, off, end - off); return; }
                if (lineLen == 0) {
                    line(b, off, nl - off);
                } else {
                    append(b, off, nl - off);
                    line(line, 0, lineLen);
                    lineLen = 0;
                }
                off = nl + 1;
            }
        }

        private void append(byte[] b, int off, int len) {
            if (lineLen + len > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + len));
            System.arraycopy(b, off, line, lineLen, len);
            lineLen += len;
        }

        private void line(byte[] b, int off, int len) {
            if (len > 0 && b[off + len - 1] == '\r') len--;
            if (len == 0) { end(); event = "message"; return; }
            if (b[off] == ':') return;
            if (startsWith(b, off, len, "data:")) {
                int skip = len > 5 && b[off + 5] == ' ' ? 6 : 5;
                data(b, off + skip, len - skip);
            } else if (startsWith(b, off, len, "event:")) {
                event = new String(b, off + 6, len - 6, StandardCharsets.ISO_8859_1).trim();
            }
        }
    }

    /**
     * An HTTP/1.1 response read incrementally from a socket's bytes: the head (status, whether the
     * body is chunked), then the body, its chunk framing taken off, handed to {@code sse}. Stops at
     * the last chunk, or once {@code sse} has what it waited for.
     */
    private static final class ResponseDecoder {
        private final SseBytes sse;
        int status;
        boolean chunked, ended;
        long bodyBytes;
        private byte[] head = new byte[0];
        private int chunkLeft = -1; // -1: reading a size line; -2: the CRLF after a chunk
        private final StringBuilder sizeLine = new StringBuilder();

        ResponseDecoder(SseBytes sse) {
            this.sse = sse;
        }

        void feed(byte[] b, int off, int len) {
            int end = off + len;
            if (status == 0) {
                byte[] h = Arrays.copyOf(head, head.length + len);
                System.arraycopy(b, off, h, head.length, len);
                String text = new String(h, StandardCharsets.ISO_8859_1);
                int at = text.indexOf("\r\n\r\n");
                if (at < 0) { head = h; return; }
                head = null;
                status = Integer.parseInt(text.split(" ", 3)[1]);
                chunked = text.substring(0, at).toLowerCase().contains("\r\ntransfer-encoding: chunked");
                b = h; off = at + 4; end = h.length;
            }
            while (off < end && !ended && !sse.satisfied()) {
                if (!chunked) { bodyBytes += end - off; sse.body(b, off, end - off); return; }
                if (chunkLeft == -1) {
                    int nl = indexOf(b, off, end, (byte) '\n');
                    if (nl < 0) { sizeLine.append(new String(b, off, end - off, StandardCharsets.ISO_8859_1)); return; }
                    sizeLine.append(new String(b, off, nl - off, StandardCharsets.ISO_8859_1));
                    int size = Integer.parseInt(sizeLine.toString().trim().split(";")[0], 16);
                    sizeLine.setLength(0);
                    off = nl + 1;
                    if (size == 0) { ended = true; return; }
                    chunkLeft = size;
                } else if (chunkLeft == -2) {
                    int nl = indexOf(b, off, end, (byte) '\n');
                    if (nl < 0) return;
                    off = nl + 1;
                    chunkLeft = -1;
                } else {
                    int take = Math.min(chunkLeft, end - off);
                    bodyBytes += take;
                    sse.body(b, off, take);
                    off += take;
                    chunkLeft -= take;
                    if (chunkLeft == 0) chunkLeft = -2;
                }
            }
        }
    }

    /** One response's SSE, counting every output event's content bytes (the bytes mode). */
    private final class ByteReader extends SseBytes {
        final ResponseDecoder http = new ResponseDecoder(this);
        boolean gotDone, timedOut;
        long contentBytes, events, gaps;
        double doneAt;
        String doneBody;
        private long pendingContent = -1;
        private final StringBuilder data = new StringBuilder();

        boolean finished() {
            return gotDone || http.ended;
        }

        @Override boolean satisfied() {
            return gotDone;
        }

        @Override void data(byte[] b, int off, int len) {
            if ("done".equals(event) || "gap".equals(event)) data.append(new String(b, off, len, StandardCharsets.UTF_8));
            else pendingContent = Math.max(0, pendingContent) + contentBytes(b, off, off + len);
        }

        @Override void end() {
            if (pendingContent >= 0 || data.length() > 0) {
                events++;
                if ("output".equals(event) && pendingContent >= 0) contentBytes += pendingContent;
                else if ("done".equals(event)) {
                    gotDone = true;
                    doneAt = nowMs();
                    doneBody = data.toString();
                } else if ("gap".equals(event)) { gaps++; error("gap " + data); }
            }
            pendingContent = -1;
            data.setLength(0);
        }
    }

    private static final byte[] CONTENT_KEY = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The UTF-8 length of the "content" string in the JSON object in b[from, to), escapes decoded. */
    static long contentBytes(byte[] b, int from, int to) {
        int at = indexOf(b, from, to, CONTENT_KEY);
        if (at < 0) return 0;
        long n = 0;
        int i = at + CONTENT_KEY.length;
        while (i < to && b[i] != '"') {
            if (b[i] != '\\') { n++; i++; continue; }
            if (b[i + 1] != 'u') { n++; i += 2; continue; }
            int cp = Integer.parseInt(new String(b, i + 2, 4, StandardCharsets.US_ASCII), 16);
            i += 6;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < to && b[i] == '\\' && b[i + 1] == 'u') { n += 4; i += 6; }
            else n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        }
        return n;
    }

    private static int indexOf(byte[] b, int from, int to, byte[] x) {
        outer:
        for (int i = from; i + x.length <= to; i++) {
            for (int k = 0; k < x.length; k++) if (b[i + k] != x[k]) continue outer;
            return i;
        }
        return -1;
    }

    private static int indexOf(byte[] b, int from, int to, byte x) {
        for (int i = from; i < to; i++) if (b[i] == x) return i;
        return -1;
    }

    private static boolean startsWith(byte[] b, int off, int len, String prefix) {
        if (len < prefix.length()) return false;
        for (int k = 0; k < prefix.length(); k++) if (b[off + k] != prefix.charAt(k)) return false;
        return true;
    }

    // ------------------------------------------------------------------ lines: N subscribers on HttpClient
    private String runLines() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Integer.parseInt(opts.getOrDefault("threads", "2")));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool)
                .connectTimeout(Duration.ofSeconds(30)).build();
        resolvePaths(http);
        LineSubscriber[] all = new LineSubscriber[subs];
        CountDownLatch heads = new CountDownLatch(subs), closed = new CountDownLatch(subs);
        Semaphore connecting = new Semaphore(256); // at most this many connects in flight, as loadgen.js
        double tStart = nowMs();
        for (int i = 0; i < subs; i++) {
            LineSubscriber s = new LineSubscriber(heads, closed, connecting);
            all[i] = s;
            if (!connecting.tryAcquire(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) break;
            HttpRequest req = HttpRequest.newBuilder(URI.create(opts.get("base") + paths.get(i % paths.size())))
                    .header("X-API-Key", opts.get("key")).header("Accept", "text/event-stream").build();
            http.sendAsync(req, info -> { s.head(info.statusCode()); return HttpResponse.BodySubscribers.fromSubscriber(s); })
                    .whenComplete((r, e) -> s.closed(e));
        }
        boolean connected = heads.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        double connectedAt = nowMs();
        long cpuGo = cpuNanos();
        go(connectedAt, tStart);
        boolean allClosed = closed.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        for (LineSubscriber s : all) if (s != null) s.cancel();
        pool.shutdownNow();
        return linesResult("java-httpclient", all, connected, allClosed, tStart, connectedAt, cpuGo);
    }

    /** The lines modes' result, once every subscriber is done (or the deadline passed). */
    private String linesResult(String client, LineSubscriber[] all, boolean connected, boolean allClosed,
                               double tStart, double connectedAt, long cpuGo) {
        double endAt = nowMs();
        long cpu = cpuNanos() - cpuGo;
        int ok200 = 0, done = 0, dropped = 0;
        long lines = 0, events = 0, badSeq = 0, gaps = 0;
        int latN = 0;
        for (LineSubscriber s : all) if (s != null) latN += s.latN;
        double[] lat = new double[latN];
        int at = 0;
        double lastDone = 0, firstEvent = Double.MAX_VALUE;
        for (LineSubscriber s : all) {
            if (s == null) continue;
            if (s.status == 200) ok200++;
            if (s.gotDone) done++;
            else dropped++;
            if (s.gotDone && s.seq != expectLines) error("subscriber got " + s.seq + " of " + expectLines + " lines");
            lines += s.lines; events += s.events; badSeq += s.badSeq; gaps += s.gaps;
            System.arraycopy(s.lat, 0, lat, at, s.latN);
            at += s.latN;
            lastDone = Math.max(lastDone, s.doneAt);
            if (s.firstEventAt > 0) firstEvent = Math.min(firstEvent, s.firstEventAt);
        }
        Arrays.sort(lat);
        boolean ok = connected && allClosed && errors.get() == 0 && ok200 == subs && done == subs && gaps == 0 && badSeq == 0
                && lines == (long) subs * expectLines;
        Json j = new Json().put("client", client).put("mode", mode).put("subs", subs).put("streams", paths.size())
                .put("ok200", ok200).put("done", done).put("lines", lines).put("events", events).put("badSeq", badSeq)
                .put("gaps", gaps).put("dropped", dropped).put("connectMs", connectedAt - tStart)
                .put("connectTimedOut", !connected).put("timedOut", !allClosed)
                .put("runMs", endAt - connectedAt).put("totalMs", endAt - tStart)
                .put("cpuMs", cpu / 1e6).put("cpuTotalMs", cpuNanos() / 1e6).put("cpuPct", 100.0 * cpu / 1e6 / (endAt - connectedAt));
        if (lat.length > 0) j.put("latP50", pct(lat, 50)).put("latP99", pct(lat, 99)).put("latMax", lat[lat.length - 1]).put("latN", lat.length);
        if (postAt > 0) { j.put("postToDoneMs", lastDone - postAt); if (firstEvent < Double.MAX_VALUE) j.put("postToFirstEventMs", firstEvent - postAt); }
        return finish(j, ok).toString();
    }

    // ------------------------------------------------------------------ lines, --io nio: N subscribers on plain sockets
    /**
     * The lines mode on non-blocking sockets: {@code --threads} selector threads (2 by default), each
     * connecting and reading its share of the subscribers, with {@link ResponseDecoder} and the same
     * SSE parsing and checks as on HttpClient. It costs far less per event than HttpClient's
     * reactive body pipeline, so that it keeps up where that one cannot (the loadgen scenario
     * measures both alone).
     */
    private String runLinesNio() throws Exception {
        resolvePaths(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        URI base = URI.create(opts.get("base"));
        InetSocketAddress address = new InetSocketAddress(base.getHost(), base.getPort());
        int threads = Integer.parseInt(opts.getOrDefault("threads", "2"));
        LineSubscriber[] all = new LineSubscriber[subs];
        CountDownLatch heads = new CountDownLatch(subs), closed = new CountDownLatch(subs);
        Semaphore connecting = new Semaphore(256); // at most this many connects in flight, as loadgen.js
        for (int i = 0; i < subs; i++) all[i] = new LineSubscriber(heads, closed, connecting);
        double tStart = nowMs();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread reader = new Thread(() -> selectLoop(address, all, first, threads, connecting), "nio-reader-" + t);
            reader.setDaemon(true);
            reader.start();
            readers.add(reader);
        }
        boolean connected = heads.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        double connectedAt = nowMs();
        long cpuGo = cpuNanos();
        go(connectedAt, tStart);
        boolean allClosed = closed.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        String result = linesResult("java-nio", all, connected, allClosed, tStart, connectedAt, cpuGo);
        for (Thread reader : readers) reader.interrupt();
        return result;
    }

    /** Subscribers first, first + step, ...: connects them (256 in flight at most, all threads together) and reads them to their done event. */
    private void selectLoop(InetSocketAddress address, LineSubscriber[] all, int first, int step, Semaphore connecting) {
        String request = "Host: " + address.getHostString() + ":" + address.getPort()
                + "\r\nAccept: text/event-stream\r\nX-API-Key: " + opts.get("key") + "\r\n\r\n";
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        int next = first, open = 0;
        try (Selector selector = Selector.open()) {
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadlineNanos && (next < all.length || open > 0)) {
                while (next < all.length && connecting.tryAcquire()) {
                    LineSubscriber s = all[next];
                    String path = paths.get(next % paths.size());
                    next += step;
                    try {
                        SocketChannel channel = SocketChannel.open();
                        channel.configureBlocking(false);
                        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        channel.connect(address);
                        channel.register(selector, SelectionKey.OP_CONNECT, new NioSubscriber(s,
                                ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\n" + request).getBytes(StandardCharsets.ISO_8859_1))));
                        open++;
                    } catch (IOException e) {
                        s.closed(e);
                    }
                }
                selector.select(10);
                for (SelectionKey key : selector.selectedKeys()) {
                    NioSubscriber n = (NioSubscriber) key.attachment();
                    SocketChannel channel = (SocketChannel) key.channel();
                    try {
                        if (key.isConnectable()) {
                            channel.finishConnect();
                            key.interestOps(SelectionKey.OP_WRITE);
                        } else if (key.isWritable()) {
                            channel.write(n.request());
                            if (!n.request().hasRemaining()) key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            buf.clear();
                            int read = channel.read(buf);
                            if (read < 0) throw new IOException("the server closed the connection");
                            boolean headless = n.http().status == 0;
                            n.http().feed(buf.array(), 0, read);
                            if (headless && n.http().status != 0) n.subscriber().head(n.http().status);
                            if (n.subscriber().gotDone) { key.cancel(); channel.close(); open--; }
                        }
                    } catch (IOException e) {
                        key.cancel();
                        try { channel.close(); } catch (IOException ignored) { }
                        open--;
                        n.subscriber().closed(e);
                    }
                }
                selector.selectedKeys().clear();
            }
            for (SelectionKey key : selector.keys()) key.channel().close();
        } catch (IOException e) {
            error("selector: " + e);
        }
    }

    /** A subscriber on a plain socket: its request until sent, then its response's decoding. */
    private record NioSubscriber(LineSubscriber subscriber, ByteBuffer request, ResponseDecoder http) {
        NioSubscriber(LineSubscriber subscriber, ByteBuffer request) {
            this(subscriber, request, new ResponseDecoder(subscriber));
        }
    }

    private static double pct(double[] sorted, double p) {
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
        return sorted[i];
    }

    private Json finish(Json j, boolean ok) {
        synchronized (errorSamples) {
            return j.put("errors", errors.get()).putRaw("errorSamples", errorSamples.stream().map(SseBench::jsonString).toList().toString())
                    .put("ok", ok && errors.get() == 0);
        }
    }

    /**
     * One subscriber: the body's buffers as HttpClient hands them over (chunked decoding is its own),
     * on its executor's threads, one at a time; SSE parsed on their bytes.
     */
    private final class LineSubscriber extends SseBytes implements Flow.Subscriber<List<ByteBuffer>> {
        private final CountDownLatch heads, closedLatch;
        private final Semaphore connecting;
        volatile int status;
        volatile boolean gotDone;
        volatile Flow.Subscription subscription;
        int seq, latN;
        long lines, events, badSeq, gaps;
        double doneAt, firstEventAt;
        final double[] lat = new double[Math.max(1, expectLines)];
        private final StringBuilder content = new StringBuilder();
        private boolean hadData, isOutput;
        private byte[] scratch = new byte[0];
        private boolean headCounted, closedCounted;

        LineSubscriber(CountDownLatch heads, CountDownLatch closed, Semaphore connecting) {
            this.heads = heads;
            this.closedLatch = closed;
            this.connecting = connecting;
        }

        synchronized void head(int code) {
            status = code;
            if (code != 200) error("HTTP " + code);
            countHead();
        }

        private void countHead() {
            if (headCounted) return;
            headCounted = true;
            connecting.release();
            heads.countDown();
        }

        synchronized void closed(Throwable e) {
            if (closedCounted) return;
            closedCounted = true;
            if (!gotDone) error("closed before done" + (e != null ? " (" + e + ")" : "") + " after " + (status != 0 ? "head " + status : "no head"));
            countHead();
            closedLatch.countDown();
        }

        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) s.cancel();
        }

        @Override boolean satisfied() {
            return gotDone;
        }

        @Override public void onSubscribe(Flow.Subscription s) { subscription = s; s.request(Long.MAX_VALUE); }

        @Override public synchronized void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer bb : buffers) {
                int n = bb.remaining();
                if (bb.hasArray()) { body(bb.array(), bb.arrayOffset() + bb.position(), n); continue; }
                if (scratch.length < n) scratch = new byte[Math.max(n, 16384)];
                bb.get(scratch, 0, n);
                body(scratch, 0, n);
            }
        }

        @Override void data(byte[] b, int off, int len) {
            hadData = true;
            if (!"output".equals(event)) return;
            isOutput = true;
            decodeContent(b, off, off + len, content);
        }

        @Override void end() {
            if (!hadData) return;
            hadData = false;
            events++;
            double now = nowMs();
            if (firstEventAt == 0) firstEventAt = now;
            if (isOutput) { output(now); content.setLength(0); isOutput = false; }
            else if ("done".equals(event)) { gotDone = true; doneAt = now; closed(null); cancel(); } // the server ends the response after done; do not wait for it
            else if ("gap".equals(event)) { gaps++; error("gap in a stream"); }
        }

        private void output(double now) {
            StringBuilder c = content;
            int p = 0, n = c.length();
            while (p < n) {
                int e = c.indexOf("\n", p);
                if (e < 0) e = n;
                if (e > p) {
                    int sp = c.indexOf(" ", p);
                    double t = Double.parseDouble(c.substring(p, sp));
                    int s = Integer.parseInt(c.substring(sp + 1, e).trim());
                    if (s != seq + 1) badSeq++;
                    seq = s;
                    lines++;
                    if (latN < lat.length) lat[latN++] = now - t;
                }
                p = e + 1;
            }
        }

        @Override public void onError(Throwable t) { /* reported by sendAsync's completion */ }

        @Override public void onComplete() { }
    }

    /** Appends the "content" string of the JSON object in b[from, to), decoded (ASCII and escapes; lines here are ASCII). */
    static void decodeContent(byte[] b, int from, int to, StringBuilder out) {
        int at = indexOf(b, from, to, CONTENT_KEY);
        if (at < 0) return;
        for (int i = at + CONTENT_KEY.length; i < to; i++) {
            char c = (char) (b[i] & 0xff);
            if (c == '"') break;
            if (c != '\\') { out.append(c); continue; }
            char n = (char) b[++i];
            switch (n) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> { out.append((char) Integer.parseInt(new String(b, i + 1, 4, StandardCharsets.US_ASCII), 16)); i += 4; }
                default -> out.append(n);
            }
        }
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    /** A flat JSON object, written by hand: the result has numbers, booleans and a few strings. */
    private static final class Json {
        private final StringBuilder b = new StringBuilder("{");

        Json put(String k, Object v) {
            String value = v == null ? "null" : v instanceof String s ? jsonString(s)
                    : v instanceof Double d ? (d.isNaN() || d.isInfinite() ? "null" : d.toString()) : v.toString();
            return putRaw(k, value);
        }

        Json putRaw(String k, String raw) {
            if (b.length() > 1) b.append(',');
            b.append(jsonString(k)).append(':').append(raw);
            return this;
        }

        @Override public String toString() { return b + "}"; }
    }
}
