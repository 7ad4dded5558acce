package io.execstream.jaxrs;

import io.execstream.core.ExecStream;
import io.execstream.http.Access;
import io.execstream.http.ApiKeys;
import io.execstream.http.ConsoleTokens;
import io.execstream.http.CorsPolicy;
import io.execstream.http.EventStreamListener;
import io.execstream.http.EventStreams;
import io.execstream.http.Links;
import io.execstream.http.ProjectEvents;
import io.execstream.http.SseHub;
import io.execstream.http.StreamLogs;
import io.execstream.http.StreamTokens;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.glassfish.jersey.media.sse.SseFeature;

/**
 * The whole execstream HTTP API, for any Jersey application: register one of these in the
 * application's {@code ResourceConfig} and it serves every path of the API (commands, agents,
 * streams, cancel, input, messages, interrupt and close, answers to requests for permission, control tokens, the event
 * streams on JAX-RS SSE, the viewer page, a project's events and console page, {@code /healthz} and
 * {@code /openapi.json}), with the API's keys, stream tokens, error bodies and headers.
 *
 * <pre>{@code
 * ExecStreamFeature api = ExecStreamFeature.builder(execStream)
 *         .apiKeys(ApiKeys.load(Path.of("api-keys.txt")))
 *         .tokenSecret(secret)
 *         .build();
 * ResourceConfig app = new ResourceConfig().register(api).register(MyOwnResource.class);
 * }</pre>
 *
 * <p>Lifecycle: build it from an {@link ExecStream} you made (and close); register it in one
 * application; {@link #close()} it when the application stops, which ends the open event streams
 * (their clients reconnect elsewhere or later with {@code Last-Event-ID}). It leaves the
 * application's own resources alone: its key check and headers are bound to its own resources,
 * and its exception mapper has the lowest priority.
 *
 * <p>It answers {@code OPTIONS} on each of its routes with {@code 204} and {@code Allow}, without a
 * key, and, for the origins given to {@link Builder#corsOrigins}, CORS preflights and headers. How
 * a request's body is delimited ({@code Content-Length}, {@code Transfer-Encoding}) is the
 * container's to check, before the API sees the request.
 */
public final class ExecStreamFeature implements Feature, AutoCloseable {
    private final ExecStream service;
    private final Access access;
    private final Links links;
    private final SseHub hub;
    private final EventStreams events;
    private final ConsoleTokens consoles;
    private final ProjectEvents projectEvents;
    private final long maxBody;
    private final CorsPolicy cors;
    private final OpenSinks sinks = new OpenSinks();

    private ExecStreamFeature(Builder builder) {
        this.service = builder.service;
        StreamTokens tokens = builder.tokens();
        this.access = new Access(builder.keys, tokens, service);
        this.links = new Links(tokens);
        this.hub = new SseHub(service, builder.keepalive, builder.writeTimeout, builder.listener);
        this.events = new EventStreams(service, access, hub);
        this.consoles = new ConsoleTokens(tokens);
        this.projectEvents = new ProjectEvents(service, access, consoles, builder.keepalive, builder.writeTimeout,
                builder.listener);
        // For as long as the service runs: a feature is built once per service.
        service.onProjectChange(projectEvents::onChange);
        this.maxBody = builder.maxBody;
        this.cors = builder.cors;
    }

    /** A builder for the API of {@code service}; {@link Builder#apiKeys} is required. */
    public static Builder builder(ExecStream service) {
        return new Builder(service);
    }

    @Override
    public boolean configure(FeatureContext context) {
        context.register(SseFeature.class)
                .register(new CommandsResource(service, links, maxBody))
                .register(new AgentsResource(service, links, maxBody))
                .register(new StreamsResource(service, links, maxBody))
                .register(new EventsResource(events, sinks))
                .register(new ProjectEventsResource(projectEvents, links, sinks))
                .register(new ConsoleResource(projectEvents, consoles))
                .register(new SseFrame.Writer())
                .register(new HealthResource())
                .register(new ViewerResource(service, links, access))
                .register(new LogResource(new StreamLogs(service, service)))
                .register(new ViewerAssets())
                .register(new OpenApiResource())
                .register(new AuthFilter(access))
                .register(new BodyLimitFilter(maxBody))
                .register(new UnreadBodyFilter.Watch())
                .register(new UnreadBodyFilter.CloseIfUnread())
                .register(new HeaderSyntaxFilter())
                .register(new EventsAcceptFilter(events, projectEvents))
                .register(new SecurityHeadersFilter())
                .register(new OptionsAndCorsFilter.OnApiAnswers(cors))
                .register(new ErrorMapper());
        return true;
    }

    /**
     * The event-stream protocol behind this API, for a transport that serves event streams
     * itself (the standalone server's fast path does): it shares this API's keys, tokens and hub.
     */
    public EventStreams eventStreams() {
        return events;
    }

    /**
     * A project's events behind this API, for a transport that serves them itself (the standalone
     * server's fast path does): they share this API's keys, console tokens and connections.
     */
    public ProjectEvents projectEvents() {
        return projectEvents;
    }

    /** Which other origins' pages may read this API's answers, for a transport that answers some itself. */
    public CorsPolicy cors() {
        return cors;
    }

    /**
     * For a server that serves nothing but this API and a few paths of its own (the standalone
     * server's {@code /metrics}): a response filter that gives its answers on every path that is
     * not the API's the API's answer to {@code OPTIONS} and its CORS headers. It holds no state of
     * one application, so it may be registered in several.
     */
    public ContainerResponseFilter optionsAndCorsOnOtherPaths() {
        return new OptionsAndCorsFilter.OnOtherPaths(cors);
    }

    /** Who may do what, with this API's keys and tokens. */
    public Access access() {
        return access;
    }

    /** The links this API hands out, signed with its tokens. */
    public Links links() {
        return links;
    }

    /**
     * How many streams' event streams are open now. A project's events (a console's) are not
     * among them: they never end by themselves, so a server that waits for event streams to end
     * would wait for them in vain; see {@link #openProjectEventStreams()}.
     */
    public int openEventStreams() {
        return hub.size();
    }

    /** How many projects' event streams (consoles) are open now. */
    public int openProjectEventStreams() {
        return projectEvents.size();
    }

    /**
     * Ends every open event stream after what was already queued for it, and waits up to 5 s for
     * that to be sent. Close the {@link ExecStream} (the application's to close) first, so that
     * the done events of the commands it cancels are among what is sent: then every stream ends
     * by itself once its done event has reached it, and this waits up to 5 s for that before it
     * ends the rest.
     */
    @Override
    public void close() {
        if (service.isClosed()) {
            // A done event may still be on its way from the publisher to a stream: ending the
            // stream now would leave its client without it.
            awaitStreamsEnded(System.nanoTime() + CLOSE_WAIT.toNanos());
        }
        hub.close();
        projectEvents.close();
        try {
            sinks.awaitClosed(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitStreamsEnded(long deadline) {
        while (openEventStreams() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /** How long {@link #close()} waits for queued events to reach their clients. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** Settings of an {@link ExecStreamFeature}; every one but the keys has a default. */
    public static final class Builder {
        private final ExecStream service;
        private ApiKeys keys;
        private StreamTokens tokens;
        private String tokenSecret;
        private Duration tokenTtl = Duration.ofHours(24);
        private Duration controlTokenTtl = StreamTokens.DEFAULT_CONTROL_TTL;
        private Duration keepalive = Duration.ofSeconds(15);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private long maxBody = 1 << 20;
        private EventStreamListener listener = EventStreamListener.NONE;
        private CorsPolicy cors = CorsPolicy.NONE;

        private Builder(ExecStream service) {
            this.service = Objects.requireNonNull(service, "service");
        }

        /** The API keys that open the API ({@link ApiKeys#load}, {@link ApiKeys#single}). Required. */
        public Builder apiKeys(ApiKeys keys) {
            this.keys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /**
         * The secret that signs stream tokens. Give every node of a cluster the same one, and the
         * same across restarts, or tokens open streams only on the node and the run that made
         * them. Default: a random secret.
         */
        public Builder tokenSecret(String secret) {
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("the token secret must not be empty");
            }
            this.tokenSecret = secret;
            this.tokens = null;
            return this;
        }

        /**
         * The stream tokens, made by the caller (their secret, lifetime and clock); in place of
         * {@link #tokenSecret} and {@link #tokenTtl}.
         */
        public Builder tokens(StreamTokens tokens) {
            this.tokens = Objects.requireNonNull(tokens, "tokens");
            this.tokenSecret = null;
            return this;
        }

        /** How long a token opens its stream; default 24 h. In any order with {@link #tokenSecret}. */
        public Builder tokenTtl(Duration ttl) {
            this.tokenTtl = positive(ttl, "tokenTtl");
            return this;
        }

        /**
         * How long a control token ({@code POST .../control-token}) lets its holder act on its
         * stream; default 15 min. In any order with {@link #tokenSecret}; ignored with {@link #tokens}.
         */
        public Builder controlTokenTtl(Duration ttl) {
            this.controlTokenTtl = positive(ttl, "controlTokenTtl");
            return this;
        }

        /** Interval of {@code : keepalive} comments on quiet event streams; default 15 s. */
        public Builder keepalive(Duration keepalive) {
            this.keepalive = positive(keepalive, "keepalive");
            return this;
        }

        /** How long a client's writes may stay blocked before it is disconnected; default 30 s. */
        public Builder writeTimeout(Duration writeTimeout) {
            this.writeTimeout = positive(writeTimeout, "writeTimeout");
            return this;
        }

        /** Largest request body in bytes ({@code 413} beyond); default 1 MiB. */
        public Builder maxBody(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBody must be at least 1 byte");
            }
            this.maxBody = bytes;
            return this;
        }

        /**
         * The origins, other than the API's own, whose pages may read its answers (CORS): each
         * {@code scheme://host[:port]}, or {@code *} for any. Every route then answers them with
         * {@code Access-Control-Allow-Origin} and answers their preflights without a key; access
         * itself still takes a key or a stream token. Replaces any given before; default none.
         *
         * @throws IllegalArgumentException naming a value that is not an origin
         */
        public Builder corsOrigins(Collection<String> origins) {
            this.cors = CorsPolicy.of(Objects.requireNonNull(origins, "origins"));
            return this;
        }

        /** Told when event-stream clients come, go and fall behind, e.g. for metrics. */
        public Builder listener(EventStreamListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public ExecStreamFeature build() {
            if (keys == null) {
                throw new IllegalStateException("apiKeys are required: ApiKeys.load(file) or ApiKeys.single(key)");
            }
            return new ExecStreamFeature(this);
        }

        /** The tokens given, or made now from the secret (random without one) and the lifetime. */
        private StreamTokens tokens() {
            if (tokens != null) {
                return tokens;
            }
            return tokenSecret == null ? StreamTokens.random(tokenTtl, controlTokenTtl)
                    : new StreamTokens(tokenSecret.getBytes(StandardCharsets.UTF_8), tokenTtl, controlTokenTtl, Clock.systemUTC());
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
