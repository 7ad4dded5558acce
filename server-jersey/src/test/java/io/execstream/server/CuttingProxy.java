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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a server that a test can cut: {@link #cutAll()} resets every open
 * connection, as a network failure would, while new connections still go through. It keeps the
 * first bytes each client sent, so a test can read the request that came over each connection.
 */
final class CuttingProxy implements AutoCloseable {
    private static final int KEPT = 8 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<ByteArrayOutputStream> requests = new CopyOnWriteArrayList<>();

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
                pump(client, server, kept);
                pump(server, client, null);
            } catch (IOException e) {
                // closed, or the server refused: the client sees its connection end
            }
        }
    }

    private static void pump(Socket from, Socket to, ByteArrayOutputStream kept) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (kept != null) {
                        synchronized (kept) {
                            kept.write(buf, 0, Math.min(n, Math.max(0, KEPT - kept.size())));
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
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
