package io.execstream.bench.peers.webflux;

import io.execstream.bench.peers.shared.StreamTable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * The benchmark suite's Spring WebFlux peer: execstream's streaming endpoints and event format, as
 * a Java team would write them on Spring Boot WebFlux (Reactor Netty), with a replaying
 * {@code Sinks.Many} per stream and {@code Flux<ServerSentEvent<?>>} responses.
 *
 * <pre>{@code java -jar execstream-peer-webflux.jar --server.port=8080 --peer.api-keys-file=keys --peer.workspace-root=ws}</pre>
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WebfluxPeer {

    public static void main(String[] args) {
        SpringApplication.run(WebfluxPeer.class, args);
    }

    /** The streams; closed on SIGTERM, which stops the commands still running. */
    @Bean
    StreamTable<CommandStream> streams(PeerProperties properties) {
        return new StreamTable<>(properties.workspaceRoot(), properties.historyBudget().toBytes(), properties.retention());
    }

    /** The line the other servers of the suite print once they listen. */
    @EventListener
    void listening(WebServerInitializedEvent event) {
        System.out.println("webflux peer listening on http://127.0.0.1:" + event.getWebServer().getPort() + "/");
        System.out.flush();
    }
}
