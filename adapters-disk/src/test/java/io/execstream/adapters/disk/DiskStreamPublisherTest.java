package io.execstream.adapters.disk;

import io.execstream.ports.HistoryLimits;
import io.execstream.ports.StreamPublisher;
import io.execstream.testkit.StreamPublisherContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The contract every publisher keeps, on a fresh directory for each publisher. */
class DiskStreamPublisherTest extends StreamPublisherContract {
    @TempDir
    Path root;

    @Override
    protected StreamPublisher newPublisher(HistoryLimits limits, Clock clock) {
        try {
            return DiskStreamPublisher.builder().directory(Files.createTempDirectory(root, "publisher"))
                    .limits(limits).clock(clock).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
