package io.execstream.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.adapters.local.LocalCommandRunner;
import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.core.ExecStream;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.http.ApiKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's settings hold in whatever order they are given. */
class ExecStreamFeatureBuilderTest {
    @Test
    void theTokenLifetimeHoldsBeforeOrAfterTheSecret(@TempDir Path dir) {
        try (InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
             ExecStream service = ExecStream.builder(LocalCommandRunner.builder().workspaceRoot(dir).build(), publisher)
                     .shutdownHook(false).build()) {
            ExecStreamFeature secretFirst = ExecStreamFeature.builder(service).apiKeys(ApiKeys.single("k"))
                    .tokenSecret("a secret of the right length").tokenTtl(Duration.ofSeconds(10)).build();
            ExecStreamFeature ttlFirst = ExecStreamFeature.builder(service).apiKeys(ApiKeys.single("k"))
                    .tokenTtl(Duration.ofSeconds(10)).tokenSecret("a secret of the right length").build();
            long latest = Instant.now().plusSeconds(12).getEpochSecond();
            for (ExecStreamFeature api : new ExecStreamFeature[] {secretFirst, ttlFirst}) {
                String url = api.links().streamUrl(ProjectId.of("demo"), StreamId.random());
                String token = url.substring(url.indexOf("token=") + 6);
                long expiry = Long.parseLong(token.substring(0, token.indexOf('.')), 36);
                assertTrue(expiry <= latest, "a 10 s token, not the default day: " + url);
                api.close();
            }
        }
    }

    @Test
    void corsOriginsAreCheckedWhenGiven(@TempDir Path dir) {
        try (InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
             ExecStream service = ExecStream.builder(LocalCommandRunner.builder().workspaceRoot(dir).build(), publisher)
                     .shutdownHook(false).build()) {
            ExecStreamFeature.Builder builder = ExecStreamFeature.builder(service).apiKeys(ApiKeys.single("k"));
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> builder.corsOrigins(List.of("https://app.example/")));
            assertTrue(bad.getMessage().contains("https://app.example/"), bad.getMessage());
            ExecStreamFeature api = builder.corsOrigins(List.of("https://app.example", "*")).build();
            assertEquals(List.of("*", "https://app.example"), api.cors().origins());
            api.close();
        }
    }

    @Test
    void keysAreRequired(@TempDir Path dir) {
        try (InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
             ExecStream service = ExecStream.builder(LocalCommandRunner.builder().workspaceRoot(dir).build(), publisher)
                     .shutdownHook(false).build()) {
            assertThrows(IllegalStateException.class, () -> ExecStreamFeature.builder(service).build());
        }
    }
}
