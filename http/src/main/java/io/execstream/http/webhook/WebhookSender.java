package io.execstream.http.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends deliveries over HTTP on threads of its own, never the caller's: at most
 * {@code maxRetries} retries after the first attempt, {@link Backoff} between them; a 2xx is
 * delivered; a 408, 429 or 5xx, a timeout or a connection that fails is tried again; any other
 * answer (a redirect, which is never followed, or a 4xx) is given up at once. At most
 * {@code capacity} deliveries wait or run at once; past that a new one is dropped, with a log line,
 * rather than queued without bound. Each delivery given up or dropped logs one line, which names
 * the event, the stream and the target's scheme, host and port, never the body, the URL's path
 * (it may hold a receiver's token) or the secret.
 */
final class WebhookSender implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebhookSender.class.getName());

    private final WebhookSignature signature;
    private final int maxRetries;
    private final Backoff backoff;
    private final Duration timeout;
    private final int capacity;
    private final WebhookListener listener;
    private final Clock clock;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final HttpClient client;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;

    WebhookSender(WebhookSignature signature, int maxRetries, Backoff backoff, Duration timeout, int capacity,
                  WebhookListener listener, Clock clock) {
        this.signature = signature;
        this.maxRetries = maxRetries;
        this.backoff = backoff;
        this.timeout = timeout;
        this.capacity = capacity;
        this.listener = listener;
        this.clock = clock;
        this.workers = Executors.newCachedThreadPool(daemon("execstream-webhook-"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("execstream-webhook-timer-"));
        this.client = HttpClient.newBuilder()
                // Plain HTTP/1.1: no h2c upgrade for a receiver to trip over.
                .version(HttpClient.Version.HTTP_1_1)
                // A redirect could lead a run's own webhook past the allowed hosts.
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .executor(workers)
                .build();
    }

    /** Takes {@code delivery} to send; returns at once. Dropped when {@code capacity} are pending. */
    void send(Delivery delivery) {
        if (closed) {
            drop(delivery, "the sender is closed");
            return;
        }
        if (pending.incrementAndGet() > capacity) {
            pending.decrementAndGet();
            drop(delivery, capacity + " deliveries are waiting already");
            return;
        }
        try {
            workers.execute(() -> attempt(delivery, 1));
        } catch (RejectedExecutionException e) {
            end();
            drop(delivery, "the sender is closed");
        }
    }

    private void attempt(Delivery delivery, int attempt) {
        if (closed && attempt > 1) {
            end();
            drop(delivery, "the sender closed before attempt " + attempt);
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(delivery.target())
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "execstream-webhook")
                .header(WebhookSignature.HEADER, signature.sign(delivery.body()))
                .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(clock.instant().getEpochSecond()))
                .header(WebhookSignature.DELIVERY_HEADER, delivery.id())
                .header(WebhookSignature.EVENT_HEADER, delivery.event())
                .POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()))
                .build();
        listener.attempted();
        try {
            client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                    .whenComplete((response, failure) -> settle(delivery, attempt, response, failure));
        } catch (RuntimeException e) {
            settle(delivery, attempt, null, e);
        }
    }

    private void settle(Delivery delivery, int attempt, HttpResponse<InputStream> response, Throwable failure) {
        if (response != null) {
            // The answer's body is not read: closing drops the connection rather than read what
            // a receiver might send without end.
            closeQuietly(response.body());
        }
        int status = response == null ? 0 : response.statusCode();
        if (response != null && status / 100 == 2) {
            end();
            listener.delivered();
            return;
        }
        boolean again = response == null || status == 408 || status == 429 || status >= 500;
        String why = response == null ? describe(failure) : "HTTP " + status
                + (status / 100 == 3 ? " (redirects are not followed)" : "");
        if (again && attempt <= maxRetries && !closed) {
            listener.retried();
            try {
                timer.schedule(() -> attempt(delivery, attempt + 1), backoff.after(attempt).toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (RejectedExecutionException e) {
                why = why + "; the sender closed";
            }
        }
        end();
        listener.failed();
        LOG.log(Level.WARNING, "webhook " + delivery.what() + " to " + origin(delivery.target()) + " gave up after "
                + attempt + " attempt(s): " + why + " (delivery " + delivery.id() + ")");
    }

    /** A delivery is over, whichever way; {@link #close} may be waiting for the last one. */
    private void end() {
        if (pending.decrementAndGet() <= 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private void drop(Delivery delivery, String why) {
        listener.dropped();
        LOG.log(Level.WARNING, "webhook " + delivery.what() + " to " + origin(delivery.target()) + " dropped: " + why
                + " (delivery " + delivery.id() + ")");
    }

    /** Scheme, host and port: a path or query may hold a receiver's own token. */
    static String origin(URI target) {
        return target.getScheme() + "://" + target.getHost() + (target.getPort() < 0 ? "" : ":" + target.getPort());
    }

    /** Why an attempt got no answer, for the log: the kind of failure, never a URL. */
    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof HttpTimeoutException) {
            return "no answer in time";
        }
        if (cause instanceof ConnectException) {
            return "connection refused or unreachable";
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // Nothing to do: the connection goes either way.
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Deliveries taken and not yet delivered, given up or dropped. */
    int pending() {
        return Math.max(0, pending.get());
    }

    /**
     * Stops: no new delivery is taken, and those waiting for a retry are dropped; attempts under
     * way (a run's {@code done} of the last moment, say) are waited for up to {@code grace}.
     */
    void close(Duration grace) {
        closed = true;
        List<Runnable> waiting = timer.shutdownNow();
        if (!waiting.isEmpty()) {
            LOG.log(Level.WARNING, waiting.size() + " webhook deliveries waiting for a retry dropped: the sender is closing");
        }
        waiting.forEach(retry -> {
            listener.dropped();
            end();
        });
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (this) {
            long left;
            while (pending.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        workers.shutdown();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
