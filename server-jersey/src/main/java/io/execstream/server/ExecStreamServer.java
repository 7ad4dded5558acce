package io.execstream.server;

import io.execstream.adapters.claude.ClaudeCodeAgent;
import io.execstream.adapters.kubectl.KubectlCommandRunner;
import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.adapters.redis.RedisStreamPublisher;
import io.execstream.core.ExecStream;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.media.sse.SseFeature;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The standalone server, assembled from a {@link ServerConfig}: the runner and publisher the
 * config names, the core service, and the HTTP API on Grizzly. {@link #start} it, and
 * {@link #close()} it to cancel running commands, deliver their done events and stop.
 */
public final class ExecStreamServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExecStreamServer.class.getName());
    /** How long a write to a client may block before the client is dropped. */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final ExecStream service;
    private final StreamPublisher publisher;
    private final SseHub hub;
    private final HttpServer http;
    private final Optional<String> generatedKey;
    private final URI baseUri;

    private ExecStreamServer(ExecStream service, StreamPublisher publisher, SseHub hub, HttpServer http,
                             Optional<String> generatedKey, URI baseUri) {
        this.service = service;
        this.publisher = publisher;
        this.hub = hub;
        this.http = http;
        this.generatedKey = generatedKey;
        this.baseUri = baseUri;
    }

    /**
     * Builds and starts a server.
     *
     * @throws IllegalArgumentException when the configuration cannot be served (unreadable keys
     *         file, an adapter this build lacks), with a message for the user
     * @throws UncheckedIOException     when the port cannot be bound
     */
    public static ExecStreamServer start(ServerConfig config) {
        Optional<String> generatedKey = config.apiKeysFile().isPresent() ? Optional.empty() : Optional.of(ApiKeys.generate());
        ApiKeys keys = config.apiKeysFile().map(ApiKeys::load).orElseGet(() -> ApiKeys.single(generatedKey.orElseThrow()));
        StreamTokens tokens = config.tokenSecret()
                .map(secret -> new StreamTokens(secret.getBytes(StandardCharsets.UTF_8)))
                .orElseGet(StreamTokens::random);
        CommandRunner runner = runner(config);
        StreamPublisher publisher = publisher(config);
        ExecStream service = ExecStream.builder(runner, publisher)
                .cancelRelay(publisher instanceof RedisStreamPublisher redis ? redis.cancelRelay() : CancelRelay.LOCAL)
                .maxRunning(config.maxRunning())
                .agent(ClaudeCodeAgent.builder().runner(runner).binary(config.claudeBin()).build())
                .shutdownGrace(config.killGrace().plusSeconds(5))
                .build();
        SseHub hub = new SseHub(service, config.keepalive(), WRITE_TIMEOUT);
        Links links = new Links(tokens);

        ResourceConfig api = new ResourceConfig()
                .register(new CommandsResource(service, links, config.maxBody()))
                .register(new StreamsResource(service, service, links))
                .register(new EventsResource(service, hub))
                .register(new HealthResource())
                .register(new AuthFilter(keys, tokens))
                .register(new BodyLimitFilter(config.maxBody()))
                .register(new SseHeadersFilter())
                .register(new ErrorMapper())
                .register(new JsonConfig())
                .register(JacksonFeature.withoutExceptionMappers())
                .register(SseFeature.class)
                // Everything the API needs is registered above: skipping the scan of META-INF
                // services and auto-discoverable features saves a good part of start-up.
                .property(CommonProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true)
                .property(CommonProperties.METAINF_SERVICES_LOOKUP_DISABLE, true)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        String host = config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
        HttpServer http = GrizzlyHttpServerFactory.createHttpServer(
                URI.create("http://" + host + ":" + config.port() + "/"), api, false);
        try {
            http.start();
        } catch (IOException e) {
            service.close();
            hub.close();
            publisher.close();
            throw new UncheckedIOException("cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        int port = http.getListener("grizzly").getPort();
        return new ExecStreamServer(service, publisher, hub, http, generatedKey,
                URI.create("http://" + host + ":" + port + "/"));
    }

    private static CommandRunner runner(ServerConfig config) {
        if (config.runner().equals("kubectl")) {
            KubectlCommandRunner.Builder kubectl = KubectlCommandRunner.builder()
                    .kubectlBinary(config.kubectlBin())
                    .namespaceTemplate(config.kubeNamespace())
                    .targetTemplate(config.kubeTarget())
                    .gracePeriod(config.killGrace());
            config.kubeContext().ifPresent(kubectl::context);
            config.kubeContainer().ifPresent(kubectl::container);
            return kubectl.build();
        }
        return LocalCommandRunner.builder()
                .workspaceRoot(config.workspaceRoot())
                .gracePeriod(config.killGrace())
                .build();
    }

    private static StreamPublisher publisher(ServerConfig config) {
        HistoryLimits limits = new HistoryLimits(config.maxHistory(), config.historyBudget(), config.retention());
        if (config.publisher().equals("redis")) {
            if (config.tokenSecret().isEmpty()) {
                LOG.warning("--publisher redis without --token-secret: stream tokens from this node will not "
                        + "open streams on other nodes, nor survive a restart; give every node the same secret");
            }
            return RedisStreamPublisher.builder()
                    .redisUri(config.redisUrl())
                    .nodeLease(config.nodeLease())
                    .limits(limits)
                    .build();
        }
        return InMemoryStreamPublisher.builder().limits(limits).build();
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
        publisher.close();
    }
}
