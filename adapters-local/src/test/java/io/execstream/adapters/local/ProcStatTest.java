package io.execstream.adapters.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void childrenAreTheKernelsListAndTheJdksAlike() throws Exception {
        Process parent = new ProcessBuilder("/bin/sh", "-c", "sleep 30 & wait").start();
        try {
            assumeTrue(Files.exists(Path.of("/proc", Long.toString(parent.pid()), "task", Long.toString(parent.pid()), "children")),
                    "this kernel lists no children in /proc");
            List<Long> children = List.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (children.isEmpty() && System.nanoTime() < deadline) {
                children = ProcStat.children(parent.pid());
                assertNotNull(children, "the parent is alive, its list readable");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertEquals(1, children.size(), "the shell's one child, sleep: " + children);
            assertEquals(parent.toHandle().children().map(ProcessHandle::pid).toList(), children);
            // A process without children has an empty list, not an unknown one.
            assertEquals(List.of(), ProcStat.children(children.get(0)));
        } finally {
            // Each process by its own pid: nothing here signals a group.
            parent.toHandle().children().forEach(ProcessHandle::destroyForcibly);
            parent.destroyForcibly();
            assertTrue(parent.waitFor(10, TimeUnit.SECONDS));
        }
    }

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

    @Test
    void aProcessThatIsGoneHasNoListToRead() throws Exception {
        Process gone = new ProcessBuilder("/bin/true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        assertNull(ProcStat.children(gone.pid()));
    }
}
