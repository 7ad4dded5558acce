package io.execstream.server;

import io.execstream.server.config.ServerConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.execstream.core.ExecStream;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamStatus;
import io.execstream.http.ApiJson;
import io.execstream.http.ApiKeys;
import io.execstream.http.Links;
import io.execstream.http.RequestBodies;
import io.execstream.http.SseEvents;
import io.execstream.http.webhook.WebhookNotifier;
import io.execstream.jaxrs.ExecStreamFeature;
import io.execstream.jaxrs.IndexResource;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamPublisher;
import io.execstream.server.metrics.ServerMetrics;
import io.execstream.server.plugins.AdapterPlugins;
import io.execstream.server.transport.GrizzlyTransport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The standalone server: the HTTP API ({@link ExecStreamFeature}) on Grizzly, with event streams
 * on a fast path of their own ({@link GrizzlyTransport}) and {@code /metrics}. It only assembles.
 * {@link #start(ServerConfig)} builds everything from the flags, its adapters made by their
 * providers ({@link AdapterPlugins}); {@link #builder(ExecStream)} serves an {@link ExecStream}
 * of the caller's own. {@link #close()} it to stop.
 */
public final class ExecStreamServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExecStreamServer.class.getName());

    private final ExecStream service;
    private final ExecStreamFeature api;
    private final HttpServer http;
    private final GrizzlyTransport transport;
    private final ServerMetrics metrics;
    private final ResourceConfig resources;
    private final Optional<String> generatedKey;
    private final URI baseUri;
    private final List<AutoCloseable> closing;

    private ExecStreamServer(ExecStream service, ExecStreamFeature api, HttpServer http, GrizzlyTransport transport,
                             ServerMetrics metrics, ResourceConfig resources, Optional<String> generatedKey, URI baseUri,
                             List<AutoCloseable> closing) {
        this.service = service;
        this.api = api;
        this.http = http;
        this.transport = transport;
        this.metrics = metrics;
        this.resources = resources;
        this.generatedKey = generatedKey;
        this.baseUri = baseUri;
        this.closing = closing;
    }

    /**
     * Builds and starts a server from its flags: the runner, publisher and agents they name, the
     * core service, and the HTTP API. The server owns and closes all of them.
     *
     * @throws IllegalArgumentException when the configuration cannot be served (unreadable keys
     *         file, an adapter no provider offers, a bad adapter option), with a message for the user
     * @throws UncheckedIOException     when the port cannot be bound
     */
    public static ExecStreamServer start(ServerConfig config) {
        Optional<String> generatedKey = config.apiKeysFile().isPresent() ? Optional.empty() : Optional.of(ApiKeys.generate());
        ApiKeys keys = config.apiKeysFile().map(ApiKeys::load).orElseGet(() -> ApiKeys.single(generatedKey.orElseThrow()));
        AdapterPlugins.Loaded adapters = AdapterPlugins.load(config);
        StreamPublisher publisher = adapters.publisher();
        ServerMetrics metrics = new ServerMetrics();
        // Closed after the service, so that the done webhooks of the runs it stops are taken.
        Optional<WebhookNotifier> webhooks = config.webhooks().enabled()
                ? Optional.of(config.webhooks().builder().listener(metrics.webhooks()).build()) : Optional.empty();
        ExecStream.Builder services = ExecStream.builder(adapters.runner(), metrics.instrument(publisher))
                .cancelRelay(adapters.cancelRelay())
                .maxRunning(config.maxRunning())
                .agentTimeout(config.agentTimeout())
                .inputWait(config.inputWait())
                .shutdownGrace(config.killGrace().plusSeconds(5))
                // The server closes the service itself, first, so that done events reach clients
                // before it stops listening (Main's shutdown hook closes the server).
                .shutdownHook(false);
        webhooks.ifPresent(services::runNotifier);
        if (webhooks.isPresent()) {
            LOG.info(config.webhooks().describe());
        }
        adapters.agents().forEach(services::agent);
        adapters.agentsOff().forEach(services::agentOff);
        ExecStream service = services.build();
        Builder server = builder(service)
                .apiKeys(keys)
                .tokenTtl(config.tokenTtl())
                .controlTokenTtl(config.controlTokenTtl())
                .bind(config.bind())
                .port(config.port())
                .keepalive(config.keepalive())
                .writeTimeout(config.writeTimeout())
                .maxBody(config.maxBody())
                .metricsPublic(config.metricsPublic())
                .corsOrigins(config.corsOrigins())
                .closing(service);
        webhooks.ifPresent(server::closing);
        server.closing(publisher);
        config.tokenSecret().ifPresent(server::tokenSecret);
        server.metrics = metrics;
        server.generatedKey = generatedKey;
        return server.start();
    }

    /**
     * A builder for a server around an {@link ExecStream} of the caller's own (its own adapters,
     * its own limits): the standalone transport, with the API's keys, tokens and limits.
     */
    public static Builder builder(ExecStream service) {
        return new Builder(service);
    }

    private static ExecStreamServer start(Builder config) {
        ServerMetrics metrics = config.metrics != null ? config.metrics : new ServerMetrics();
        ExecStream service = config.service;
        ExecStreamFeature api = config.api.listener(metrics).build();
        // Start-up is class loading and set-up, mostly Jersey's, on one thread. What nothing needs
        // before the first request goes to another core meanwhile.
        Thread warmUp = new Thread(() -> {
            try {
                warmUpFirstStart(api.links());
            } finally {
                metrics.bindJvmMeters();
            }
        }, "execstream-start");
        warmUp.setDaemon(true);
        warmUp.start();
        metrics.countRunning(service::runningCount);
        ResourceConfig resources = new ResourceConfig()
                .register(api)
                // GET /: the API's own feature leaves an application's root alone; this server's root is ours.
                .register(new IndexResource())
                .register(metrics.resource(api.access(), config.metricsPublic))
                .register(GrizzlyTransport.securityHeadersOnEveryAnswer())
                .register(api.optionsAndCorsOnOtherPaths())
                // Everything the API needs is registered above: skipping the scan of META-INF
                // services and auto-discoverable features saves a good part of start-up.
                .property(CommonProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true)
                .property(CommonProperties.METAINF_SERVICES_LOOKUP_DISABLE, true)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        String host = config.bind.contains(":") ? "[" + config.bind + "]" : config.bind;
        HttpServer http = GrizzlyHttpServerFactory.createHttpServer(
                URI.create("http://" + host + ":" + config.port + "/"), resources, false);
        GrizzlyTransport transport = GrizzlyTransport.install(http, api.eventStreams(), api.projectEvents(), api.links(), api.cors());
        try {
            http.start();
        } catch (IOException e) {
            transport.close();
            service.close();
            api.close();
            config.closing.forEach(ExecStreamServer::closeQuietly);
            metrics.close();
            throw new UncheckedIOException("cannot listen on " + config.bind + ":" + config.port + ": " + e.getMessage(), e);
        }
        int port = http.getListener("grizzly").getPort();
        return new ExecStreamServer(service, api, http, transport, metrics, resources, config.generatedKey,
                URI.create("http://" + host + ":" + port + "/"), config.closing);
    }

    /**
     * Runs once the work of a first start request and its event stream that is the server's own
     * (the body read and checked, a stream token signed, the answer written, events framed), so
     * that the first real ones do not load and set all that up: without it the first {@code POST}
     * took about 90 ms here.
     */
    private static void warmUpFirstStart(Links links) {
        byte[] body = "{\"command\":[\"echo\",\"hi\"],\"timeout_ms\":1000,\"env\":{\"A\":\"b\"}}"
                .getBytes(StandardCharsets.UTF_8);
        RequestBodies.commandSpec(RequestBodies.readObject(new ByteArrayInputStream(body), body.length));
        ProjectId project = ProjectId.of("warm-up");
        StreamId stream = StreamId.random();
        try {
            ApiJson.MAPPER.writeValueAsBytes(new Links.Started(stream.value(), links.streamUrl(project, stream),
                    links.statusUrl(project, stream)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        // A record links its equals and hashCode on their first call; the stream lookups make it.
        stream.equals(StreamId.random());
        project.hashCode();
        SseEvents.of(new PublishedEvent("1", StreamEvent.Output.stdout("hi\n")));
        SseEvents.of(new PublishedEvent("2", new StreamEvent.Done(0, 1, StreamStatus.EXITED, null)));
    }

    /** Where the server listens, e.g. {@code http://127.0.0.1:8080/}. */
    public URI baseUri() {
        return baseUri;
    }

    public int port() {
        return baseUri.getPort();
    }

    /** The key generated at start when no keys file was given. */
    public Optional<String> generatedApiKey() {
        return generatedKey;
    }

    /** The core service behind the API. */
    public ExecStream service() {
        return service;
    }

    /** The server's meters: what {@code GET /metrics} shows, and where the event-stream code reports its clients. */
    ServerMetrics metrics() {
        return metrics;
    }

    /** The resources and providers the API was built from, as registered. */
    ResourceConfig api() {
        return resources;
    }

    /** How many event streams are open now. */
    public int openEventStreams() {
        return api.openEventStreams();
    }

    /**
     * Stops taking commands, cancels the running ones and waits for their done events to reach
     * connected clients (when the server was given the service to close: {@link #start(ServerConfig)}
     * and {@link Builder#closing}), ends the other event streams, then stops listening and closes
     * what it was given to close, in that order.
     */
    @Override
    public void close() {
        if (closing.contains(service)) {
            LOG.info("shutting down: cancelling " + service.runningCount() + " running command(s)");
            service.close();
        }
        // With the service closed, this first waits (up to 5 s) for each stream to end by itself
        // once its done event is written.
        api.close();
        // Every event stream is closed by now and new commands are refused. A graceful Grizzly
        // shutdown would wait its whole grace period on each response whose client vanished
        // before it ended, so stop at once.
        http.shutdownNow();
        transport.close();
        closing.forEach(ExecStreamServer::closeQuietly);
        metrics.close();
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing " + resource + " failed", e);
        }
    }

    /**
     * Settings of a server around an {@link ExecStream}. Every one has a default but the keys;
     * the defaults are the standalone server's flags' defaults.
     */
    public static final class Builder {
        private final ExecStream service;
        /** The API's own settings (keys, tokens, keepalive, limits), checked where the API checks them. */
        private final ExecStreamFeature.Builder api;
        private String bind = "127.0.0.1";
        private int port = 8080;
        private boolean metricsPublic;
        private final List<AutoCloseable> closing = new ArrayList<>();
        private ServerMetrics metrics;
        private Optional<String> generatedKey = Optional.empty();

        private Builder(ExecStream service) {
            this.service = Objects.requireNonNull(service, "service");
            this.api = ExecStreamFeature.builder(service);
        }

        /** The API keys ({@link ApiKeys#load}, {@link ApiKeys#single}). Required. */
        public Builder apiKeys(ApiKeys keys) {
            api.apiKeys(keys);
            return this;
        }

        /** The secret that signs stream tokens ({@code --token-secret}); default random at each start. */
        public Builder tokenSecret(String secret) {
            api.tokenSecret(secret);
            return this;
        }

        /** How long a stream token opens its stream ({@code --token-ttl}); default 24 h. */
        public Builder tokenTtl(Duration ttl) {
            api.tokenTtl(ttl);
            return this;
        }

        /** How long a control token lets its holder act on its stream ({@code --control-token-ttl}); default 15 min. */
        public Builder controlTokenTtl(Duration ttl) {
            api.controlTokenTtl(ttl);
            return this;
        }

        /** The address to listen on ({@code --bind}); default 127.0.0.1. */
        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The TCP port ({@code --port}); 0 picks a free one; default 8080. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be from 0 to 65535");
            }
            this.port = port;
            return this;
        }

        /** Interval of keepalive comments ({@code --keepalive}); default 15 s. */
        public Builder keepalive(Duration keepalive) {
            api.keepalive(keepalive);
            return this;
        }

        /** How long a client's writes may stay blocked ({@code --write-timeout}); default 30 s. */
        public Builder writeTimeout(Duration writeTimeout) {
            api.writeTimeout(writeTimeout);
            return this;
        }

        /** Largest request body ({@code --max-body}); default 1 MiB. */
        public Builder maxBody(long bytes) {
            api.maxBody(bytes);
            return this;
        }

        /**
         * The origins whose pages may read the answers ({@code --cors-origin}): each
         * {@code scheme://host[:port]}, or {@code *}; default none. See
         * {@link ExecStreamFeature.Builder#corsOrigins}.
         */
        public Builder corsOrigins(Collection<String> origins) {
            api.corsOrigins(origins);
            return this;
        }

        /** Whether {@code /metrics} needs no key ({@code --metrics-public}); default false. */
        public Builder metricsPublic(boolean metricsPublic) {
            this.metricsPublic = metricsPublic;
            return this;
        }

        /**
         * What the server closes when it closes, in this order, after it stopped listening. Pass the
         * {@link ExecStream} here to have its running commands cancelled and their done events
         * delivered before the server stops; otherwise it stays the caller's to close.
         */
        public Builder closing(AutoCloseable... resources) {
            closing.addAll(List.of(resources));
            return this;
        }

        /**
         * Builds and starts the server.
         *
         * @throws IllegalStateException when no API keys were given
         * @throws UncheckedIOException  when the port cannot be bound
         */
        public ExecStreamServer start() {
            return ExecStreamServer.start(this);
        }
    }
}
