package io.execstream.adapters.local;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads shared by all local commands for short jobs: sending signals (each spawns a
 * {@code kill} and waits for it), delayed KILLs, reporting commands that could not start.
 */
final class Background {

    static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private Background() {
    }

    private static ScheduledThreadPoolExecutor create() {
        AtomicInteger count = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, task -> {
            Thread thread = new Thread(task, "execstream-local-" + count.incrementAndGet());
            // Daemon: a pending delayed KILL must not keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
