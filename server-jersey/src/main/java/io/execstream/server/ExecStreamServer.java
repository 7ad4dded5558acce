package io.execstream.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.execstream.core.ExecStream;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamPublisher;
import io.execstream.server.plugins.AdapterPlugins;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The standalone server, assembled from a {@link ServerConfig}: the runner and publisher the
 * config names (made by their providers, see {@link AdapterPlugins}), the core service, and the HTTP API on Grizzly. {@link #start} it, and
 * {@link #close()} it to cancel running commands, deliver their done events and stop.
 */
public final class ExecStreamServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExecStreamServer.class.getName());

    private final ExecStream service;
    private final StreamPublisher publisher;
    private final SseHub hub;
    private final HttpServer http;
    private final ProtocolErrors protocolErrors;
    private final ServerMetrics metrics;
    private final ResourceConfig api;
    private final Optional<String> generatedKey;
    private final URI baseUri;

    private ExecStreamServer(ExecStream service, StreamPublisher publisher, SseHub hub, HttpServer http,
                             ProtocolErrors protocolErrors, ServerMetrics metrics, ResourceConfig api,
                             Optional<String> generatedKey, URI baseUri) {
        this.metrics = metrics;
        this.api = api;
        this.service = service;
        this.publisher = publisher;
        this.hub = hub;
        this.http = http;
        this.protocolErrors = protocolErrors;
        this.generatedKey = generatedKey;
        this.baseUri = baseUri;
    }

    /**
     * Builds and starts a server.
     *
     * @throws IllegalArgumentException when the configuration cannot be served (unreadable keys
     *         file, an adapter no provider offers, a bad adapter option), with a message for the user
     * @throws UncheckedIOException     when the port cannot be bound
     */
    public static ExecStreamServer start(ServerConfig config) {
        Optional<String> generatedKey = config.apiKeysFile().isPresent() ? Optional.empty() : Optional.of(ApiKeys.generate());
        ApiKeys keys = config.apiKeysFile().map(ApiKeys::load).orElseGet(() -> ApiKeys.single(generatedKey.orElseThrow()));
        StreamTokens tokens = config.tokenSecret()
                .map(secret -> new StreamTokens(secret.getBytes(StandardCharsets.UTF_8), config.tokenTtl(), Clock.systemUTC()))
                .orElseGet(() -> StreamTokens.random(config.tokenTtl()));
        AdapterPlugins.Loaded adapters = AdapterPlugins.load(config);
        StreamPublisher publisher = adapters.publisher();
        ServerMetrics metrics = new ServerMetrics();
        Links links = new Links(tokens);
        // Start-up is class loading and set-up, mostly Jersey's, on one thread. What nothing needs
        // before the first request goes to another core meanwhile.
        Thread warmUp = new Thread(() -> {
            try {
                warmUpFirstStart(links);
            } finally {
                metrics.bindJvmMeters();
            }
        }, "execstream-start");
        warmUp.setDaemon(true);
        warmUp.start();
        ExecStream.Builder services = ExecStream.builder(adapters.runner(), metrics.instrument(publisher))
                .cancelRelay(adapters.cancelRelay())
                .maxRunning(config.maxRunning())
                .shutdownGrace(config.killGrace().plusSeconds(5));
        adapters.agents().forEach(services::agent);
        ExecStream service = services.build();
        metrics.countRunning(service::runningCount);
        SseHub hub = new SseHub(service, config.keepalive(), config.writeTimeout(), metrics);

        AuthFilter auth = new AuthFilter(keys, tokens);
        ResourceConfig api = new ResourceConfig()
                .register(new CommandsResource(service, links, config.maxBody()))
                .register(new AgentsResource(service, service::agents, links, config.maxBody()))
                .register(new StreamsResource(service, service, links))
                .register(new HealthResource())
                .register(new ViewerResource(service, links))
                .register(new ViewerAssets())
                .register(new OpenApiResource())
                .register(new MetricsResource(metrics, keys, config.metricsPublic()))
                .register(auth)
                .register(new BodyLimitFilter(config.maxBody()))
                .register(new HeaderSyntaxFilter())
                .register(new SecurityHeadersFilter())
                .register(new ErrorMapper())
                .register(new JsonConfig())
                .register(JacksonFeature.withoutExceptionMappers())
                // Everything the API needs is registered above: skipping the scan of META-INF
                // services and auto-discoverable features saves a good part of start-up.
                .property(CommonProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true)
                .property(CommonProperties.METAINF_SERVICES_LOOKUP_DISABLE, true)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        String host = config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
        HttpServer http = GrizzlyHttpServerFactory.createHttpServer(
                URI.create("http://" + host + ":" + config.port() + "/"), api, false);
        EventsHandler.install(http, service, hub, auth);
        // Answers that Grizzly or Jersey would give before the API's error handling sees the request.
        ContainerGuard.install(http);
        ProtocolErrors protocolErrors = ProtocolErrors.install(http);
        try {
            http.start();
        } catch (IOException e) {
            protocolErrors.close();
            service.close();
            hub.close();
            publisher.close();
            metrics.close();
            throw new UncheckedIOException("cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        int port = http.getListener("grizzly").getPort();
        return new ExecStreamServer(service, publisher, hub, http, protocolErrors, metrics, api, generatedKey,
                URI.create("http://" + host + ":" + port + "/"));
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
            JsonConfig.MAPPER.writeValueAsBytes(new Links.Started(stream.value(), links.streamUrl(project, stream),
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
        return api;
    }

    /** How many event streams are open now. */
    public int openEventStreams() {
        return hub.size();
    }

    /**
     * Stops taking commands, cancels the running ones and waits for their done events to reach
     * connected clients, then stops listening.
     */
    @Override
    public void close() {
        LOG.info("shutting down: cancelling " + service.runningCount() + " running command(s)");
        service.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (hub.size() > 0 && System.nanoTime() < deadline) {
            // Each client closes its own response once its done event is written.
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        hub.close();
        // Every event stream is closed by now and new commands are refused. A graceful Grizzly
        // shutdown would wait its whole grace period on each response whose client vanished
        // before it ended, so stop at once.
        http.shutdownNow();
        protocolErrors.close();
        publisher.close();
        metrics.close();
    }
}
