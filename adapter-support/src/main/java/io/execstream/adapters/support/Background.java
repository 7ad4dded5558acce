package io.execstream.adapters.support;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Threads shared by all {@link ProcessCommand}s, all daemons (a pending KILL must not keep the JVM
 * alive): a scheduler for timers, and workers for the blocking jobs (a signal spawns a
 * {@code kill} or a {@code kubectl exec} and waits for it, which can take a while), so that a slow
 * signal never delays a timer.
 */
final class Background {

    static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();
    static final ExecutorService WORKERS = workers();

    private Background() {
    }

    private static ScheduledThreadPoolExecutor scheduler() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("execstream-process-timer-"));
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private static ExecutorService workers() {
        // As many as there are signals under way: one slow signal must not hold up another's KILL.
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), DaemonThreads.named("execstream-process-"));
    }
}
