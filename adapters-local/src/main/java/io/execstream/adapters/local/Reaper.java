package io.execstream.adapters.local;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One daemon thread, {@code execstream-reaper}, that waits for the end of every child
 * {@link PosixSpawn} started, where the JDK keeps a thread blocked in {@code waitpid} for each:
 * a running command costs a thread less. It holds a pidfd for each child ({@code pidfd_open},
 * Linux 5.3 and glibc 2.36), which becomes readable when the child ends, and waits for any of
 * them, and for a pipe of its own that says a child was added, in one {@code poll}. When one is
 * readable it reaps that child ({@link SpawnedProcess#reapNow()}), which completes its
 * {@code onExit} on this thread.
 *
 * <p>Where there is no pidfd (an older kernel or C library, or no descriptor left),
 * {@link #watch} says so and the child gets a waiting thread of its own.
 */
final class Reaper implements Runnable {

    private static final System.Logger LOG = System.getLogger(Reaper.class.getName());
    private static final Reaper SHARED = start();
    private static final byte[] WAKE = {1};

    private final Function pidfdOpen;
    private final int wakeRead;
    private final int wakeWrite;
    /** The children watched, by pidfd; guarded by this. */
    private final Map<Integer, SpawnedProcess> children = new HashMap<>();
    /** Set once pidfd_open said the kernel has none: from then on every child gets its own waiter. */
    private volatile boolean noPidfds;

    private Reaper(Function pidfdOpen, int wakeRead, int wakeWrite) {
        this.pidfdOpen = pidfdOpen;
        this.wakeRead = wakeRead;
        this.wakeWrite = wakeWrite;
    }

    /**
     * Has the shared reaper wait for {@code child}'s end; false if it cannot, and the caller must
     * wait for it otherwise.
     */
    static boolean watch(SpawnedProcess child) {
        return SHARED != null && SHARED.add(child);
    }

    private boolean add(SpawnedProcess child) {
        if (noPidfds) {
            return false;
        }
        int pidfd;
        try {
            pidfd = pidfdOpen.invokeInt(new Object[] {(int) child.pid(), 0});
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.ENOSYS) { // a kernel older than 5.3
                noPidfds = true;
            }
            return false;
        }
        synchronized (this) {
            children.put(pidfd, child);
        }
        try {
            LibC.write(wakeWrite, WAKE, new NativeLong(1));
        } catch (LastErrorException e) {
            // EAGAIN: the pipe is full of wake-ups already, and the reaper will look.
        }
        return true;
    }

    @Override
    public void run() {
        while (true) {
            try {
                reapUntilFailure();
            } catch (RuntimeException e) {
                // Never let the thread end: every running command's end would go unseen.
                LOG.log(System.Logger.Level.ERROR, "the reaper failed; it goes on", e);
            }
        }
    }

    private void reapUntilFailure() {
        Memory fds = new Memory(LibC.POLLFD_SIZE * 64L);
        byte[] drain = new byte[256];
        List<Integer> pidfds = new ArrayList<>();
        while (true) {
            pidfds.clear();
            synchronized (this) {
                pidfds.addAll(children.keySet());
            }
            long size = (long) LibC.POLLFD_SIZE * (pidfds.size() + 1);
            if (fds.size() < size) {
                fds = new Memory(size * 2);
            }
            entry(fds, 0, wakeRead);
            for (int i = 0; i < pidfds.size(); i++) {
                entry(fds, i + 1, pidfds.get(i));
            }
            try {
                LibC.poll(fds, new NativeLong(pidfds.size() + 1), -1);
            } catch (LastErrorException e) {
                continue; // EINTR; nothing else can fail with these descriptors
            }
            if (ready(fds, 0)) {
                drain(drain);
            }
            for (int i = 0; i < pidfds.size(); i++) {
                if (ready(fds, i + 1)) {
                    int pidfd = pidfds.get(i);
                    SpawnedProcess child;
                    synchronized (this) {
                        child = children.remove(pidfd);
                    }
                    LibC.close(pidfd);
                    child.reapNow();
                }
            }
        }
    }

    private static void entry(Memory fds, int index, int fd) {
        long at = (long) index * LibC.POLLFD_SIZE;
        fds.setInt(at, fd);
        fds.setShort(at + 4, LibC.POLLIN);
        fds.setShort(at + 6, (short) 0);
    }

    private static boolean ready(Memory fds, int index) {
        return fds.getShort((long) index * LibC.POLLFD_SIZE + 6) != 0;
    }

    private void drain(byte[] buffer) {
        try {
            while (LibC.read(wakeRead, buffer, new NativeLong(buffer.length)).longValue() > 0) {
                // Wake-ups carry nothing: the list is read again on every round.
            }
        } catch (LastErrorException e) {
            // EAGAIN: drained.
        }
    }

    /** The shared reaper, its thread started; null where there are no pidfds. */
    private static Reaper start() {
        Function pidfdOpen;
        int[] wake = new int[2];
        try {
            pidfdOpen = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("pidfd_open", Function.THROW_LAST_ERROR);
            LibC.pipe2(wake, LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        } catch (UnsatisfiedLinkError | LastErrorException e) {
            LOG.log(System.Logger.Level.DEBUG, "no pidfds here: each command gets a thread that waits for its end (" + e + ")");
            return null;
        }
        Reaper reaper = new Reaper(pidfdOpen, wake[0], wake[1]);
        Thread thread = new Thread(reaper, "execstream-reaper");
        thread.setDaemon(true);
        thread.start();
        return reaper;
    }
}
