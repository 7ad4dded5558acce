package io.execstream.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a server that a test can cut: {@link #cutAll()} resets every open
 * connection, as a network failure would, while new connections still go through, and
 * {@link #cutInsideData} has the next connections end in the middle of an event. It keeps the
 * first bytes each client sent, so a test can read the request that came over each connection.
 */
final class CuttingProxy implements AutoCloseable {
    private static final int KEPT = 8 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<ByteArrayOutputStream> requests = new CopyOnWriteArrayList<>();
    /** Where the next connections are cut: see {@link #cutInsideData}. */
    private final Queue<Integer> cuts = new ConcurrentLinkedQueue<>();
    private final AtomicInteger cutsDone = new AtomicInteger();

    CuttingProxy(URI targetBase) throws IOException {
        this.target = new InetSocketAddress(targetBase.getHost(), targetBase.getPort());
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "cutting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The proxy's root, to give a client instead of the server's. */
    URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/");
    }

    /** The start of what each connection's client sent, in the order they came. */
    List<String> requests() {
        return requests.stream().map(b -> {
            synchronized (b) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }).toList();
    }

    /**
     * Cuts the next connections, one for each value: once the server has sent at least that many
     * bytes on it, in the middle of the value of the next {@code data:} line. The client gets every
     * byte before the cut, then the end of the connection, so it stands inside an event, where
     * nearly all of a stream's bytes are. Later connections go through whole.
     */
    void cutInsideData(List<Integer> afterBytes) {
        cuts.addAll(afterBytes);
    }

    /** How many connections {@link #cutInsideData} has cut so far. */
    int cutsDone() {
        return cutsDone.get();
    }

    /** Resets every connection open now, in both directions. */
    void cutAll() {
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0); // RST, not an orderly FIN
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
        open.clear();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 5000);
                open.add(client);
                open.add(server);
                ByteArrayOutputStream kept = new ByteArrayOutputStream();
                requests.add(kept);
                pump(client, server, kept, null);
                pump(server, client, null, cuts.poll());
            } catch (IOException e) {
                // closed, or the server refused: the client sees its connection end
            }
        }
    }

    /** Copies {@code from} to {@code to}; with {@code cutAfter}, only up to a cut inside a data line past that many bytes. */
    private void pump(Socket from, Socket to, ByteArrayOutputStream kept, Integer cutAfter) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            long sent = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (kept != null) {
                        synchronized (kept) {
                            kept.write(buf, 0, Math.min(n, Math.max(0, KEPT - kept.size())));
                        }
                    }
                    int cut = cutAfter == null ? -1 : insideData(buf, (int) Math.max(0, cutAfter - sent), n);
                    if (cut >= 0) {
                        out.write(buf, 0, cut);
                        out.flush();
                        cutsDone.incrementAndGet();
                        return; // the finally block closes both sides: the client reads the bytes, then the end
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    sent += n;
                }
            } catch (IOException e) {
                // cut, or closed by the other side
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Where to cut {@code buf[0..n)} at or after {@code from}: the middle of the value of a
     * {@code data:} line that starts there and goes on past that point; -1 if there is none.
     */
    private static int insideData(byte[] buf, int from, int n) {
        byte[] field = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
        for (int i = from; i + field.length < n; i++) {
            if (Arrays.equals(buf, i, i + field.length, field, 0, field.length)) {
                int value = i + field.length;
                int end = value;
                while (end < n && buf[end] != '\n') {
                    end++;
                }
                if (end - value >= 2) {
                    return value + (end - value) / 2;
                }
            }
        }
        return -1;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closeQuietly(listener);
        cutAll();
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
