package io.execstream.adapters.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void descendantsAreTheWholeTreeAsTheJdkSeesIt() throws Exception {
        // A shell whose child shell has a child: three generations, and a second child beside.
        Process root = new ProcessBuilder("/bin/sh", "-c", "/bin/sh -c 'sleep 30 & wait' & sleep 30 & wait").start();
        try {
            List<Long> found = ProcStat.descendants(root.pid());
            assumeTrue(found != null, "this kernel lists no children in /proc");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (found.size() < 3 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                found = ProcStat.descendants(root.pid());
            }
            assertEquals(3, found.size(), "two children and a grandchild: " + found);
            assertEquals(Set.copyOf(root.toHandle().descendants().map(ProcessHandle::pid).toList()), Set.copyOf(found));
        } finally {
            root.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            root.destroyForcibly();
            assertTrue(root.waitFor(10, TimeUnit.SECONDS));
        }
        // Gone: nothing descends from it any more.
        assertEquals(List.of(), ProcStat.descendants(root.pid()));
    }
}
