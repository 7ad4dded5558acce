package io.execstream.http.webhook;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.StreamInfo;
import io.execstream.http.WebhookUrl;
import io.execstream.ports.RunNotifier;
import io.execstream.ports.StreamChange;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Webhooks for runs that need a person and runs that end: the {@link RunNotifier} to hand to
 * {@code ExecStream.builder(...).runNotifier(...)}. For each change of a stream this node runs
 * that is a {@link Trigger} it was asked for, it POSTs a signed JSON body ({@link WebhookBody},
 * {@link WebhookSignature}) to the service's URL, if it has one, and to the run's own
 * {@code webhook_url}, if the run named one; each on its own threads, with retries, never on the
 * stream's thread. A run's own URL must name a host of the allow list, else the run is refused
 * ({@code webhook_not_allowed}); with no allow list, every run's own URL is.
 *
 * <p>Close it after the service, so that the done webhooks of the runs the service stops on its
 * close are taken: {@link #close} waits up to 2 s for attempts under way, and drops deliveries
 * still waiting for a retry.
 */
public final class WebhookNotifier implements RunNotifier, AutoCloseable {
    /** Retries after the first attempt, by default. */
    public static final int DEFAULT_RETRIES = 5;
    /** The most retries a delivery may have. */
    public static final int MAX_RETRIES = 20;
    /** The wait before the first retry, by default; it doubles at each further one, up to a minute. */
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    /** How long one attempt may take to connect, and then to get an answer, by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The most deliveries that may wait or run at once, by default. */
    public static final int DEFAULT_CAPACITY = 1000;

    private final Optional<URI> url;
    private final HostAllowList allow;
    private final Set<Trigger> triggers;
    private final String base;
    private final Clock clock;
    private final Triggers decide = new Triggers();
    private final WebhookSender sender;

    private WebhookNotifier(Builder b) {
        this.url = b.url;
        this.allow = b.allow;
        this.triggers = Set.copyOf(b.triggers);
        this.base = b.publicUrl.map(u -> u.toString().endsWith("/") ? u.toString() : u + "/").orElse("/");
        this.clock = b.clock;
        this.sender = new WebhookSender(new WebhookSignature(b.secret), b.retries, new Backoff(b.backoff), b.timeout,
                b.capacity, b.listener, b.clock);
    }

    /** A builder of a notifier that signs with {@code secret} (at least 16 bytes of UTF-8). */
    public static Builder builder(String secret) {
        return new Builder(secret);
    }

    @Override
    public void check(URI target) {
        if (allow.isEmpty()) {
            throw new InvalidInputException(ErrorCode.WEBHOOK_NOT_ALLOWED, "webhook_url is not allowed: this server "
                    + "allows no run's own webhook URL; start it with --webhook-allow " + target.getHost()
                    + " to allow that host");
        }
        if (!allow.allows(target.getHost())) {
            throw new InvalidInputException(ErrorCode.WEBHOOK_NOT_ALLOWED, "webhook_url's host " + target.getHost()
                    + " is not allowed: the allowed hosts are " + allow + "; add it to --webhook-allow to allow it");
        }
    }

    @Override
    public void changed(StreamChange change, URI target) {
        Optional<Trigger> trigger = decide.of(change);
        if (trigger.isEmpty() || !triggers.contains(trigger.get())) {
            return;
        }
        List<URI> targets = new ArrayList<>(2);
        url.ifPresent(targets::add);
        if (target != null && !targets.contains(target)) {
            targets.add(target);
        }
        StreamInfo stream = change.stream();
        Instant at = clock.instant();
        for (URI to : targets) {
            String id = UUID.randomUUID().toString();
            byte[] body = WebhookBody.of(trigger.get(), stream, id, at, base);
            sender.send(new Delivery(id, trigger.get().event(), to, body, trigger.get().event()
                    + (trigger.get().reason() == null ? "" : "/" + trigger.get().reason())
                    + " of project " + stream.project().value() + " stream " + stream.id().value()));
        }
    }

    /** Deliveries taken and not yet delivered, given up or dropped. */
    public int pending() {
        return sender.pending();
    }

    /** Takes no more deliveries; waits up to 2 s for attempts under way; those waiting for a retry are dropped. */
    @Override
    public void close() {
        sender.close();
    }

    /** Settings of a {@link WebhookNotifier}; each has a default but the secret. */
    public static final class Builder {
        private final String secret;
        private Optional<URI> url = Optional.empty();
        private HostAllowList allow = HostAllowList.of(List.of());
        private Set<Trigger> triggers = EnumSet.allOf(Trigger.class);
        private Optional<URI> publicUrl = Optional.empty();
        private int retries = DEFAULT_RETRIES;
        private Duration backoff = DEFAULT_BACKOFF;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int capacity = DEFAULT_CAPACITY;
        private WebhookListener listener = new WebhookListener() {
        };
        private Clock clock = Clock.systemUTC();

        private Builder(String secret) {
            this.secret = Objects.requireNonNull(secret, "secret");
            new WebhookSignature(secret);
        }

        /** Where every run's webhooks go ({@code --webhook-url}); default none: only runs' own. */
        public Builder url(URI url) {
            this.url = Optional.of(WebhookUrl.parse("the webhook URL", url.toString()));
            return this;
        }

        /**
         * The hosts a run's own {@code webhook_url} may name ({@code --webhook-allow}): exact host
         * names or addresses, or {@code *.example.com}; default none, which refuses every run's own URL.
         *
         * @throws IllegalArgumentException for a pattern that is not a host
         */
        public Builder allow(Collection<String> hosts) {
            this.allow = HostAllowList.of(List.copyOf(hosts));
            return this;
        }

        /** Which moments send a webhook ({@code --webhook-events}); default all of them. */
        public Builder triggers(Collection<Trigger> triggers) {
            if (triggers.isEmpty()) {
                throw new IllegalArgumentException("webhook events must name at least one of permission, idle, done");
            }
            this.triggers = EnumSet.copyOf(triggers);
            return this;
        }

        /**
         * The URL clients reach the API at ({@code --public-url}), e.g.
         * {@code https://exec.example.com/}; the body's links start with it. Default none: the
         * links are paths ({@code /projects/...}).
         */
        public Builder publicUrl(URI url) {
            this.publicUrl = Optional.of(WebhookUrl.parse("the public URL", url.toString()));
            return this;
        }

        /** Retries after the first attempt ({@code --webhook-retries}), 0 to {@value WebhookNotifier#MAX_RETRIES}; default {@value WebhookNotifier#DEFAULT_RETRIES}. */
        public Builder retries(int retries) {
            if (retries < 0 || retries > MAX_RETRIES) {
                throw new IllegalArgumentException("webhook retries must be from 0 to " + MAX_RETRIES);
            }
            this.retries = retries;
            return this;
        }

        /** The wait before the first retry ({@code --webhook-backoff}), 1 ms to 1 min; default 1 s. */
        public Builder backoff(Duration first) {
            if (first.toMillis() < 1 || first.compareTo(Backoff.MAX) > 0) {
                throw new IllegalArgumentException("the webhook backoff must be from 1ms to 1m");
            }
            this.backoff = first;
            return this;
        }

        /** How long one attempt may take to connect, and then to be answered ({@code --webhook-timeout}); default 10 s. */
        public Builder timeout(Duration timeout) {
            if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("the webhook timeout must be from 1ms to 5m");
            }
            this.timeout = timeout;
            return this;
        }

        /** The most deliveries waiting or running at once; past it new ones are dropped. Default {@value WebhookNotifier#DEFAULT_CAPACITY}. */
        public Builder capacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be at least 1");
            }
            this.capacity = capacity;
            return this;
        }

        /** Told what becomes of each delivery (metrics). */
        public Builder listener(WebhookListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The clock of the body's {@code at} and the timestamp header; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public WebhookNotifier build() {
            return new WebhookNotifier(this);
        }
    }
}
