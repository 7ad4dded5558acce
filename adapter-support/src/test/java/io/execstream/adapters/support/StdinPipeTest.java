package io.execstream.adapters.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The named pipe a command's stdin is: made private, read by the process alone once connected. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StdinPipeTest {

    @Test
    void aProcessReadsWhatIsWrittenAndEndsAtTheEndOfFile() throws Exception {
        StdinPipe pipe = StdinPipe.open();
        Path path = pipe.path();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        Process cat = new ProcessBuilder("cat").redirectInput(ProcessBuilder.Redirect.from(path.toFile())).start();
        CommandStdin stdin = pipe.connect();
        assertFalse(Files.exists(path.getParent()), "the file and its directory are gone once connected");
        stdin.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
        stdin.close();
        assertTrue(stdin.isClosed());
        assertEquals("one\ntwo\n", new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(cat.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, cat.exitValue());
        assertThrows(IOException.class, () -> stdin.write(1), "a closed stdin takes no more");
        stdin.close();
    }

    @Test
    void aWriteOnceNothingReadsFailsWithoutHarmingTheJvm() throws Exception {
        StdinPipe pipe = StdinPipe.open();
        Process sleeper = new ProcessBuilder("sh", "-c", "exec sleep 1000")
                .redirectInput(ProcessBuilder.Redirect.from(pipe.path().toFile())).start();
        CommandStdin stdin = pipe.connect();
        sleeper.destroyForcibly();
        assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
        // EPIPE: reported as an exception, the JVM ignores the signal.
        IOException failed = assertThrows(IOException.class, () -> stdin.write("x".getBytes(StandardCharsets.UTF_8)));
        assertTrue(failed.getMessage().startsWith("the command no longer reads its stdin"), failed.getMessage());
        assertTrue(stdin.isClosed(), "a broken pipe closes the stream");
    }

    @Test
    void closingWithoutConnectingRemovesThePipe() throws IOException {
        StdinPipe pipe = StdinPipe.open();
        Path path = pipe.path();
        assertTrue(Files.exists(path));
        pipe.close();
        pipe.close();
        assertFalse(Files.exists(path.getParent()));
        assertThrows(IllegalStateException.class, pipe::connect);
    }
}
