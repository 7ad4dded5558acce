package io.execstream.bench.jaxrs;

import io.execstream.server.config.ServerConfig;
import io.execstream.core.ExecStream;
import io.execstream.http.ApiKeys;
import io.execstream.jaxrs.ExecStreamFeature;
import io.execstream.ports.StreamPublisher;

import io.execstream.server.plugins.AdapterPlugins;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The benchmark suite's third server: the whole API through {@link ExecStreamFeature}, registered
 * in a plain {@link ResourceConfig} on Jersey's Grizzly container, as an application mounts it.
 * No fast path: the event streams run on JAX-RS SSE ({@code SseEventSink}).
 *
 * <p>It takes the flags of {@code execstream serve} and builds the same {@link ExecStream} from
 * them, with the adapters they name ({@link AdapterPlugins#load}) and the same limits, then serves
 * it on {@code --bind}:{@code --port} with the same keys file, token lifetime, keepalive, write
 * timeout and body limit. It assembles the service itself rather than starting the standalone
 * server on another port to borrow its service: that server's listener, Jersey application and
 * threads would otherwise count in this one's start-up, memory and thread figures.
 *
 * <pre>{@code java -jar execstream-jaxrs-server.jar --port 8081 --api-keys-file keys [serve's flags]}</pre>
 */
public final class JaxrsServer {
    private JaxrsServer() {
    }

    public static void main(String[] args) {
        ServerConfig config;
        try {
            config = ServerConfig.parse(Arrays.asList(args), System.getenv());
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        if (config.apiKeysFile().isEmpty()) {
            fail("--api-keys-file is required");
        }
        ApiKeys keys = ApiKeys.load(config.apiKeysFile().orElseThrow());
        // As ExecStreamServer.start(ServerConfig) assembles it, without the server's metrics.
        AdapterPlugins.Loaded adapters = AdapterPlugins.load(config);
        StreamPublisher publisher = adapters.publisher();
        ExecStream.Builder services = ExecStream.builder(adapters.runner(), publisher)
                .cancelRelay(adapters.cancelRelay())
                .maxRunning(config.maxRunning())
                .agentTimeout(config.agentTimeout())
                .shutdownGrace(config.killGrace().plusSeconds(5))
                // Closed below, first, so that done events reach the clients before the listener stops.
                .shutdownHook(false);
        adapters.agents().forEach(services::agent);
        ExecStream service = services.build();

        ExecStreamFeature.Builder feature = ExecStreamFeature.builder(service)
                .apiKeys(keys)
                .tokenTtl(config.tokenTtl())
                .keepalive(config.keepalive())
                .writeTimeout(config.writeTimeout())
                .maxBody(config.maxBody());
        config.tokenSecret().ifPresent(feature::tokenSecret);
        ExecStreamFeature api = feature.build();

        String host = config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
        // An application's plain ResourceConfig: Jersey's discovery of features and services stays
        // on. Only WADL is off, which Jersey turns off itself, with a warning, without JAXB.
        ResourceConfig app = new ResourceConfig().register(api).property(ServerProperties.WADL_FEATURE_DISABLE, true);
        HttpServer http = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://" + host + ":" + config.port() + "/"),
                app, false);
        try {
            http.start();
        } catch (IOException e) {
            service.close();
            api.close();
            publisher.close();
            fail("cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(service, api, http, publisher), "execstream-jaxrs-shutdown"));
        int port = http.getListener("grizzly").getPort();
        // The line `execstream serve` prints.
        System.out.println("execstream listening on http://" + host + ":" + port + "/");
        System.out.flush();
    }

    /** As the standalone server closes: commands cancelled and their done events out first, then the rest. */
    private static void close(ExecStream service, ExecStreamFeature api, HttpServer http, StreamPublisher publisher) {
        service.close();
        // Each event stream ends once its done event is out: 5 s at most for all of them.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (api.openEventStreams() > 0 && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        api.close();
        http.shutdownNow();
        publisher.close();
    }

    private static void fail(String message) {
        System.err.println("execstream-jaxrs-server: " + message);
        System.exit(2);
    }
}
