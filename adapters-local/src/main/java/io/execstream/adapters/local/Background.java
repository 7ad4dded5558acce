package io.execstream.adapters.local;

import io.execstream.adapters.support.DaemonThreads;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Threads shared by all local commands for short jobs: sending signals (each spawns a
 * {@code kill} and waits for it), delayed KILLs, reporting commands that could not start.
 */
final class Background {

    static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private Background() {
    }

    private static ScheduledThreadPoolExecutor create() {
        // Daemons: a pending delayed KILL must not keep the JVM alive.
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, DaemonThreads.named("execstream-local-"));
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
