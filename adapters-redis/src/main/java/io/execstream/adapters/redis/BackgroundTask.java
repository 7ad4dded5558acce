package io.execstream.adapters.redis;

/**
 * Runs the publisher's background work (the lease tick, the retention sweep, failing a dead node's
 * streams) so that a failure is logged, not thrown: an exception would cancel a fixed-delay
 * schedule for good, and one dead node must not stop the others from being failed. Called on the
 * publisher's scheduler thread (and on the building thread, for the first lease); holds no state.
 */
final class BackgroundTask {
    // The publisher's own name, as before its parts had files of their own: logging settings keep working.
    private static final System.Logger LOG = System.getLogger(RedisStreamPublisher.class.getName());

    private BackgroundTask() {
    }

    /** {@code task}, logging what it throws under {@code what}. */
    static Runnable guarded(String what, Runnable task) {
        return () -> run(what, task);
    }

    /** Runs {@code task} now, logging what it throws under {@code what}. */
    static void run(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.log(RedisConnections.isTransient(e) ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    what + " failed: " + RedisConnections.describe(e), e);
        }
    }
}
