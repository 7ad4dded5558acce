package io.execstream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The settings that depend on the publisher: {@code disk} is the default, with a data directory
 * beside the workspaces and history limits for a disk, while {@code memory} and {@code redis} keep
 * theirs, and a flag or variable that is given wins with any publisher.
 */
class PublisherDefaultsTest {

    @Test
    void diskIsTheDefaultWithLimitsForADisk() {
        ServerConfig config = ServerConfig.defaults();
        assertEquals("disk", config.publisher());
        assertEquals(1L << 30, config.maxHistory());
        assertEquals(10L << 30, config.historyBudget());
        assertEquals(Duration.ofDays(7), config.retention());
        assertEquals("interval", config.fsync());
        assertEquals(Path.of("execstream-data").toAbsolutePath(), config.dataDir());
    }

    @Test
    void memoryAndRedisKeepTheirLimits() {
        for (String publisher : List.of("memory", "redis")) {
            ServerConfig config = ServerConfig.parse(List.of("--publisher", publisher), Map.of());
            assertEquals(16L << 20, config.maxHistory(), publisher);
            assertEquals(512L << 20, config.historyBudget(), publisher);
            assertEquals(Duration.ofHours(1), config.retention(), publisher);
        }
        ServerConfig fromEnv = ServerConfig.parse(List.of(), Map.of("EXECSTREAM_PUBLISHER", "memory"));
        assertEquals(512L << 20, fromEnv.historyBudget());
    }

    @Test
    void givenLimitsWinWithAnyPublisher() {
        for (String publisher : List.of("disk", "memory")) {
            ServerConfig flags = ServerConfig.parse(List.of("--publisher", publisher, "--max-history", "2MB",
                    "--history-budget", "64MB", "--retention", "10m"), Map.of());
            assertEquals(2L << 20, flags.maxHistory(), publisher);
            assertEquals(64L << 20, flags.historyBudget(), publisher);
            assertEquals(Duration.ofMinutes(10), flags.retention(), publisher);
            ServerConfig env = ServerConfig.parse(List.of("--publisher", publisher),
                    Map.of("EXECSTREAM_HISTORY_BUDGET", "3GB", "EXECSTREAM_MAX_HISTORY", "16MB"));
            assertEquals(3L << 30, env.historyBudget(), publisher);
            assertEquals(16L << 20, env.maxHistory(), publisher);
        }
    }

    @Test
    void aBudgetGivenBelowTheDefaultPerStreamBoundsIt() {
        ServerConfig config = ServerConfig.parse(List.of("--history-budget", "512MB"), Map.of());
        assertEquals(512L << 20, config.maxHistory(), "one stream may take the whole budget, not more");
        assertEquals(1L << 30, ServerConfig.parse(List.of("--history-budget", "20GB"), Map.of()).maxHistory());
    }

    @Test
    void theDataDirectoryIsBesideTheWorkspacesUnlessGiven() {
        assertEquals(Path.of("/srv/execstream/execstream-data"),
                ServerConfig.parse(List.of("--workspace-root", "/srv/execstream/workspaces"), Map.of()).dataDir());
        assertEquals(Path.of("/var/lib/es"), ServerConfig.parse(List.of("--workspace-root", "/srv/ws",
                "--data-dir", "/var/lib/es"), Map.of()).dataDir());
        assertEquals(Path.of("/from/env"), ServerConfig.parse(List.of(), Map.of("EXECSTREAM_DATA_DIR", "/from/env")).dataDir());
    }

    @Test
    void aWrongFsyncSaysWhatItTakes() {
        assertEquals("always", ServerConfig.parse(List.of("--fsync", "always"), Map.of()).fsync());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(List.of("--fsync", "sometimes"), Map.of()));
        assertTrue(e.getMessage().contains("--fsync must be always, interval or never"), e.getMessage());
    }

    @Test
    void helpGivesEachPublishersDefaults() {
        String help = ServerConfig.help();
        assertTrue(help.contains("1GB with the disk publisher, 16MB with the others"), help);
        assertTrue(help.contains("10GB with the disk publisher, 512MB with the others"), help);
        assertTrue(help.contains("7d with the disk publisher, 1h with the others"), help);
        assertTrue(help.contains("--data-dir"), help);
        assertTrue(help.contains("[EXECSTREAM_FSYNC] default: interval"), help);
    }
}
