package io.execstream.http.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sender against a real HTTP server on 127.0.0.1 whose answer to each attempt the test picks:
 * what is retried and what is not, how often, and what is dropped when too many wait.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebhookSenderTest {
    private static final String SECRET = "a-secret-of-the-sender-test";

    private final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer receiver;
    private WebhookSender sender;

    /** Counts outcomes in the order they come. */
    private final WebhookListener listener = new WebhookListener() {
        @Override
        public void delivered() {
            outcomes.add("delivered");
        }

        @Override
        public void failed() {
            outcomes.add("failed");
        }

        @Override
        public void dropped() {
            outcomes.add("dropped");
        }
    };

    /** A receiver that answers attempt n (from 1) with {@code status.applyAsInt(n)}; 0 holds it until the test ends. */
    private URI serve(IntUnaryOperator status) throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            int answer = status.applyAsInt(attempts.incrementAndGet());
            if (answer == 0) {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                answer = 200;
            }
            if (answer / 100 == 3) {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:1/elsewhere");
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        receiver.start();
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook?t=x");
    }

    private WebhookSender sender(int retries, int capacity) {
        sender = new WebhookSender(new WebhookSignature(SECRET), retries, new Backoff(Duration.ofMillis(20)),
                Duration.ofSeconds(2), capacity, listener, Clock.systemUTC());
        return sender;
    }

    private static Delivery delivery(URI to) {
        return new Delivery("d-1", "done", to, "{}".getBytes(StandardCharsets.UTF_8), "done of a test");
    }

    private String next() throws InterruptedException {
        String outcome = outcomes.poll(10, TimeUnit.SECONDS);
        assertTrue(outcome != null, "no outcome within 10 s");
        return outcome;
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (sender != null) {
            sender.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void retriesServerErrorsAndTooManyRequestsUntilA2xx() throws Exception {
        URI to = serve(n -> List.of(500, 429, 408, 503, 204).get(n - 1));
        sender(5, 10).send(delivery(to));
        assertEquals("delivered", next());
        assertEquals(5, attempts.get());
        assertEquals(0, sender.pending());
    }

    @Test
    void givesUpAfterItsRetries() throws Exception {
        URI to = serve(n -> 502);
        sender(2, 10).send(delivery(to));
        assertEquals("failed", next());
        assertEquals(3, attempts.get(), "the first attempt and two retries");
    }

    @Test
    void neverRetriesARefusalOrFollowsARedirect() throws Exception {
        URI to = serve(n -> n == 1 ? 400 : 307);
        WebhookSender s = sender(5, 10);
        s.send(delivery(to));
        assertEquals("failed", next());
        s.send(delivery(to));
        assertEquals("failed", next());
        assertEquals(2, attempts.get(), "one attempt each, and nothing sent to the redirect's target");
    }

    @Test
    void retriesAConnectionRefused() throws Exception {
        URI to = serve(n -> 200);
        receiver.stop(0);
        sender(1, 10).send(delivery(to));
        assertEquals("failed", next());
    }

    @Test
    void dropsWhatComesPastItsCapacityAndNeverBlocksTheCaller() throws Exception {
        URI to = serve(n -> 0);
        WebhookSender s = sender(0, 2);
        long t0 = System.nanoTime();
        s.send(delivery(to));
        s.send(delivery(to));
        s.send(delivery(to));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "send returns at once");
        assertEquals("dropped", next());
        assertEquals(2, s.pending());
        release.countDown();
        assertEquals("delivered", next());
        assertEquals("delivered", next());
    }
}
