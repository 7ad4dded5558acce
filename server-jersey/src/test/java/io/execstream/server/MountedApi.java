package io.execstream.server;

import io.execstream.jaxrs.ExecStreamFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * The HTTP API as an application mounts it: {@link ExecStreamFeature} registered in a
 * {@link ResourceConfig} of its own, in a Jersey container, on 127.0.0.1 and a free port. The
 * end-to-end suite runs against these as well as against the standalone server.
 */
record MountedApi(ExecStreamFeature api, URI baseUri, Runnable stopContainer) implements AutoCloseable {
    /** How many event streams the feature has open. */
    int openEventStreams() {
        return api.openEventStreams();
    }

    /** Ends the feature's event streams, then stops the container. */
    @Override
    public void close() {
        api.close();
        stopContainer.run();
    }

    /** The feature on Jersey's Grizzly container ({@code jersey-container-grizzly2-http}). */
    static MountedApi onGrizzly(ExecStreamFeature api) {
        HttpServer http = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"),
                new ResourceConfig().register(api), false);
        try {
            http.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new MountedApi(api, URI.create("http://127.0.0.1:" + http.getListener("grizzly").getPort() + "/"),
                http::shutdownNow);
    }

    /** The feature in Jersey's servlet container on Jetty ({@code jersey-container-servlet}, Servlet 6.1). */
    static MountedApi onJetty(ExecStreamFeature api) {
        // Jetty lets one idle thread go per idle timeout (60 s by default): at 100 ms, a test that
        // counts the JVM's threads after a burst of clients sees the container settle within its bound.
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setIdleTimeout(100);
        Server jetty = new Server(threads);
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder servlet = new ServletHolder(new ServletContainer(new ResourceConfig().register(api)));
        // Event streams outlive the request's thread: Jersey's SSE needs async servlets.
        servlet.setAsyncSupported(true);
        context.addServlet(servlet, "/*");
        jetty.setHandler(context);
        try {
            jetty.start();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not start", e);
        }
        return new MountedApi(api, URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/"), () -> {
            try {
                jetty.stop();
            } catch (Exception e) {
                throw new IllegalStateException("Jetty did not stop", e);
            }
        });
    }
}
