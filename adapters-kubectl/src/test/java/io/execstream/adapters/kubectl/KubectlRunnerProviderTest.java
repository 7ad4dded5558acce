package io.execstream.adapters.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.ports.HistoryLimits;
import io.execstream.ports.plugin.AdapterContext;
import io.execstream.ports.plugin.AdapterOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's {@code --runner kubectl}: made by the provider, which checks kubectl at start-up. */
class KubectlRunnerProviderTest {

    @Test
    void aKubectlThatCannotRunGetsOneWarningAtStartUpNotARefusal(@TempDir Path directory) {
        KubectlRunnerProvider provider = new KubectlRunnerProvider();
        AdapterOptions options = AdapterOptions.of(provider.options(),
                Map.of("bin", directory.resolve("no-such-kubectl").toString()));
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(KubectlRunnerProvider.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            assertNotNull(provider.create(new AdapterContext(options, HistoryLimits.DEFAULT, Duration.ofSeconds(1), 0)));
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(1, records.size(), records.toString());
        assertEquals(Level.WARNING, records.get(0).getLevel());
        assertTrue(records.get(0).getMessage().contains("cannot run") && records.get(0).getMessage().contains("--kubectl-bin"),
                records.get(0).getMessage());
    }
}
