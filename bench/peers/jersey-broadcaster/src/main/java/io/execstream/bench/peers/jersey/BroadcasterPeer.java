package io.execstream.bench.peers.jersey;

import io.execstream.bench.peers.shared.StreamTable;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.hk2.api.TypeLiteral;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The benchmark suite's JAX-RS peer: execstream's streaming endpoints and event format, as a Java
 * team would write them with the JAX-RS standard SSE API alone ({@code Sse},
 * {@code SseEventSink}, {@code OutboundSseEvent}; per stream the history in a list and the live
 * sinks in another, see {@link CommandStream} for why not an {@code SseBroadcaster}) on Jersey's
 * Grizzly container. No execstream code.
 *
 * <pre>{@code java -jar execstream-peer-jersey-broadcaster.jar --port 8080 --api-keys-file keys --workspace-root ws
 *     [--bind 127.0.0.1] [--keepalive 15s] [--retention 1h] [--history-budget 512MB]}</pre>
 */
public final class BroadcasterPeer {

    private BroadcasterPeer() {
    }

    public static void main(String[] args) throws IOException {
        PeerOptions options;
        try {
            options = PeerOptions.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            System.err.println("jersey-broadcaster peer: " + e.getMessage());
            System.exit(2);
            return;
        }
        StreamTable<CommandStream> streams = new StreamTable<>(options.workspaceRoot(), options.historyBudget(), options.retention());
        // JAX-RS has no heartbeat of its own: a timer sends the keepalive comment.
        streams.every(options.keepalive(), () -> streams.all().forEach(CommandStream::keepalive));
        ResourceConfig app = new ResourceConfig()
                .register(StreamResource.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(streams).to(new TypeLiteral<StreamTable<CommandStream>>() { });
                        bind(options).to(PeerOptions.class);
                    }
                })
                .register(JacksonFeature.withoutExceptionMappers())
                .register(new JsonSupport.Mapper())
                .register(new JsonSupport.Malformed())
                .register(new JsonSupport.BodyLimit())
                // Jersey turns WADL off itself, with a warning, without JAXB.
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        String host = options.bind().contains(":") ? "[" + options.bind() + "]" : options.bind();
        HttpServer http = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://" + host + ":" + options.port() + "/"), app, false);
        http.start();
        // On SIGTERM: the commands still running are stopped, then the listener.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            http.shutdownNow();
        }, "peer-shutdown"));
        System.out.println("jersey-broadcaster peer listening on http://" + host + ":" + http.getListener("grizzly").getPort() + "/");
        System.out.flush();
    }
}
