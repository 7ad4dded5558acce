package io.execstream.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The core's thread factory. Its threads are daemons, as a library's must be: a pending timer or
 * an idle pool never keeps its host's JVM from exiting. The core keeps its own rather than
 * adapter-support's: it depends on the ports and the domain only.
 */
final class DaemonThreads {
    private DaemonThreads() {
    }

    /** Daemon threads named {@code namePrefix} followed by 1, 2, 3, ... in the order they are made. */
    static ThreadFactory named(String namePrefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, namePrefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
