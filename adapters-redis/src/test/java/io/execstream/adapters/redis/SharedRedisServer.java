package io.execstream.adapters.redis;

import io.execstream.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server (in memory only) for all the tests of a class: register it as a static
 * {@code @RegisterExtension} field. Started before the class's tests, stopped and its directory
 * deleted after them; the tests keep apart with key prefixes of their own.
 */
final class SharedRedisServer implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private RedisServer server;

    /** {@code redis://127.0.0.1:<port>}. */
    String uri() {
        return server.uri();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("execstream-redis-");
        server = RedisServer.start(dir, false);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
