package io.execstream.server.metrics;

import io.execstream.domain.StreamStatus;
import io.execstream.http.Access;
import io.execstream.http.EventStreamListener;
import io.execstream.http.webhook.WebhookListener;
import io.execstream.ports.StreamPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The server's meters, in one Micrometer registry that {@code GET /metrics} renders in the
 * Prometheus text format: what this node runs and publishes, its event-stream subscribers, and
 * the JVM's own metrics.
 *
 * <p>Every method may be called from any thread at any time; the counters are lock-free. The
 * counts are this node's: with the Redis publisher each node reports the commands it runs and
 * the clients it serves.
 */
public final class ServerMetrics implements EventStreamListener, AutoCloseable {
    /** The content type of the Prometheus text format that {@link #scrape()} writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** Open once the JVM's meters are bound; see {@link #bindJvmMeters()}. */
    private final CountDownLatch jvmMetersBound = new CountDownLatch(1);
    private final Map<StreamStatus, Counter> finished = new EnumMap<>(StreamStatus.class);
    private final AtomicInteger subscribers = new AtomicInteger();
    private final Counter dropped;
    private final Counter events;
    private final Counter outputBytes;
    private final Counter webhookAttempts;
    private final Counter webhooksDelivered;
    private final Counter webhooksRetried;
    private final Counter webhooksFailed;
    private final Counter webhooksDropped;

    /** A registry with the server's meters, at zero; the JVM's are bound later, by {@link #bindJvmMeters()}. */
    public ServerMetrics() {
        for (StreamStatus status : StreamStatus.values()) {
            if (status.isFinal()) {
                // Registered up front, so that every status shows, at 0, before its first stream.
                finished.put(status, Counter.builder("execstream.streams")
                        .description("Streams that ended on this node, by final status")
                        .tag("status", status.wireName())
                        .register(registry));
            }
        }
        Gauge.builder("execstream.subscribers", subscribers, AtomicInteger::get)
                .description("Event-stream clients connected now")
                .register(registry);
        dropped = Counter.builder("execstream.subscribers.dropped")
                .description("Event-stream clients whose buffer was dropped or that were disconnected for reading too slowly")
                .register(registry);
        events = Counter.builder("execstream.events.published")
                .description("Events appended to streams on this node: output, agent and done")
                .register(registry);
        outputBytes = Counter.builder("execstream.output.bytes")
                .description("UTF-8 bytes of command output published on this node")
                .register(registry);
        webhookAttempts = Counter.builder("execstream.webhook.attempts")
                .description("HTTP attempts of webhook deliveries sent by this node, retries included")
                .register(registry);
        webhooksDelivered = webhookOutcome("delivered");
        webhooksRetried = webhookOutcome("retried");
        webhooksFailed = webhookOutcome("failed");
        webhooksDropped = webhookOutcome("dropped");
    }

    private Counter webhookOutcome(String outcome) {
        return Counter.builder("execstream.webhook.deliveries")
                .description("Webhook deliveries by outcome: delivered (2xx), retried (an attempt failed and another "
                        + "follows), failed (given up), dropped (never sent: too many waiting, or the server closed)")
                .tag("outcome", outcome)
                .register(registry);
    }

    /**
     * Binds the JVM's own meters (memory, GC, threads, CPU, uptime, descriptors). It is apart from
     * the constructor so that start-up can do it on another thread; a scrape waits for it.
     */
    public void bindJvmMeters() {
        try {
            new ClassLoaderMetrics().bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            gc.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
        } finally {
            jvmMetersBound.countDown();
        }
    }

    /**
     * Shows {@code running}, read at each scrape, as the number of streams running on this node;
     * called once, when the service that runs them exists.
     */
    public void countRunning(IntSupplier running) {
        Gauge.builder("execstream.streams.running", running::getAsInt)
                .description("Commands and agent runs running on this node")
                .register(registry);
    }

    /** {@code publisher}, counting what is published through it. */
    public StreamPublisher instrument(StreamPublisher publisher) {
        return new MeteredStreamPublisher(publisher, this);
    }

    /**
     * The {@code GET /metrics} resource over these meters, checking keys with {@code access};
     * {@code isPublic} ({@code --metrics-public}) serves it without a key.
     */
    public MetricsResource resource(Access access, boolean isPublic) {
        return new MetricsResource(this, access, isPublic);
    }

    /** An event-stream client connected. */
    @Override
    public void opened() {
        subscribers.incrementAndGet();
    }

    /** An event-stream client's response ended, for whatever reason; once per {@link #opened()}. */
    @Override
    public void closed() {
        subscribers.decrementAndGet();
    }

    /**
     * A client fell too far behind: its buffer was dropped (it catches up from history) or it was
     * disconnected. Counted in addition to {@link #closed()} when the response ends.
     */
    @Override
    public void dropped() {
        dropped.increment();
    }

    /** What counts the webhook deliveries of this node: {@code execstream_webhook_*}. */
    public WebhookListener webhooks() {
        return new WebhookListener() {
            @Override
            public void attempted() {
                webhookAttempts.increment();
            }

            @Override
            public void delivered() {
                webhooksDelivered.increment();
            }

            @Override
            public void retried() {
                webhooksRetried.increment();
            }

            @Override
            public void failed() {
                webhooksFailed.increment();
            }

            @Override
            public void dropped() {
                webhooksDropped.increment();
            }
        };
    }

    void eventPublished() {
        events.increment();
    }

    void outputPublished(long utf8Bytes) {
        outputBytes.increment(utf8Bytes);
    }

    void streamFinished(StreamStatus status) {
        Counter counter = finished.get(status);
        if (counter != null) {
            counter.increment();
        }
    }

    /** Every meter, in the Prometheus text format ({@link #CONTENT_TYPE}). */
    String scrape() {
        // Bound within a few hundred milliseconds of start; a scrape before that waits.
        awaitJvmMeters();
        return registry.scrape();
    }

    private void awaitJvmMeters() {
        try {
            jvmMetersBound.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        // After the binding, or the GC meter's listeners it registers would outlive the close.
        awaitJvmMeters();
        gc.close();
        registry.close();
    }
}
