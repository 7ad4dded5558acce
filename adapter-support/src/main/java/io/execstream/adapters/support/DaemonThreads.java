package io.execstream.adapters.support;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for the pools of the core and its adapters. Their threads are daemons, as a
 * library's must be: a pending timer or an idle pool never keeps its host's JVM from exiting.
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** Daemon threads named {@code namePrefix} followed by 1, 2, 3, ... in the order they are made. */
    public static ThreadFactory named(String namePrefix) {
        Objects.requireNonNull(namePrefix, "namePrefix");
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, namePrefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
