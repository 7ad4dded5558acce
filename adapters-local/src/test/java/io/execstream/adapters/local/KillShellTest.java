package io.execstream.adapters.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Every signal here goes to one process this test started, by its pid: never to a group. */
class KillShellTest {

    @Test
    void stopAndContinueReachTheProcessAndReportTheirStatus() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            assertEquals(0, KillShell.run("kill -STOP " + sleeper.pid()));
            assertTrue(showsState(sleeper.pid(), 'T'), "stopped");
            assertEquals(0, KillShell.run("kill -CONT " + sleeper.pid()));
            assertTrue(showsState(sleeper.pid(), 'S'), "running again");
            // No process group of that id: the builtin fails, and says so.
            assertEquals(1, KillShell.run("kill -0 -" + sleeper.pid()));
        } finally {
            sleeper.destroyForcibly();
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aShellThatIsGoneIsReplacedForTheNextKill() {
        // "exit" ends the shell, and the one started to try again: nothing runs it.
        assertNull(KillShell.run("exit"));
        long self = ProcessHandle.current().pid();
        assertEquals(0, KillShell.run("kill -0 " + self), "a new shell answers");
    }

    @Test
    void aShellThatDoesNotAnswerIsReplacedAfterItsTimeLimit() {
        // The shell stops itself ($$ is its own pid), so no answer comes: each of the two tries
        // waits out the limit, and the kill is reported as not run.
        long t0 = System.nanoTime();
        assertNull(KillShell.run("kill -STOP $$"));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.SECONDS.toNanos(9), "waited for an answer first");
        long self = ProcessHandle.current().pid();
        assertEquals(0, KillShell.run("kill -0 " + self), "a new shell answers");
    }

    private static boolean showsState(long pid, char state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ProcStat stat = ProcStat.read(pid);
            if (stat != null && stat.state() == state) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        return false;
    }
}
