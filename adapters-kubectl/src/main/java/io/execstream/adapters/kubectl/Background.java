package io.execstream.adapters.kubectl;

import io.execstream.adapters.support.DaemonThreads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Threads shared by all kubectl commands, all daemons (a pending KILL must not keep the JVM
 * alive): a scheduler for timers, and workers for the blocking jobs (each remote signal is a
 * {@code kubectl exec} that can take a while), so that a slow API server never delays a timer.
 */
final class Background {

    static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();
    static final ExecutorService WORKERS = workers();

    private Background() {
    }

    private static ScheduledThreadPoolExecutor scheduler() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("execstream-kubectl-timer-"));
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private static ExecutorService workers() {
        // As many as there are signals under way: one slow exec must not hold up another's KILL.
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), DaemonThreads.named("execstream-kubectl-"));
    }
}
