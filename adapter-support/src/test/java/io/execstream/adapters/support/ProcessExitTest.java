package io.execstream.adapters.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The waiter threads' wait for a process: it ends with the process, not with an interrupt. */
@EnabledOnOs({OS.LINUX, OS.MAC})
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcessExitTest {
    @Test
    void returnsTheExitCode() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", "exit 3").start();
        assertEquals(3, ProcessExit.await(process));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void anInterruptDoesNotEndTheWaitAndIsKept() throws Exception {
        // The process reads until its stdin closes: that happens once the wait has met the
        // interrupt and gone back to waiting.
        Process process = new ProcessBuilder("sh", "-c", "cat > /dev/null; exit 7").start();
        Thread waiter = Thread.currentThread();
        waiter.interrupt();
        Thread closer = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waiter.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        closer.start();
        try {
            assertEquals(7, ProcessExit.await(process));
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
            closer.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
