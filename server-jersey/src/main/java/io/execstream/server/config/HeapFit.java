package io.execstream.server.config;

import java.util.Optional;

/**
 * Whether the in-memory history fits the heap the JVM was given. History is kept on the heap, and
 * the JVM's default maximum is a quarter of the machine's (or container's) memory, so the default
 * 512MB budget does not fit a 1 GiB pod: the server would run out of memory under load instead of
 * evicting old streams. Saying so at start-up turns that into a line in the log.
 */
public final class HeapFit {
    private HeapFit() {
    }

    /**
     * A warning when {@code historyBudget} bytes take more than half of {@code maxHeap}: the other
     * half is for connections, encoded frames and the collector's room to work.
     */
    public static Optional<String> check(long historyBudget, long maxHeap) {
        if (maxHeap == Long.MAX_VALUE || historyBudget <= maxHeap / 2) {
            return Optional.empty();
        }
        long budgetMb = mb(historyBudget);
        return Optional.of("--history-budget " + budgetMb + "MB is more than half of this JVM's " + mb(maxHeap)
                + "MB heap, which holds the history: give the JVM at least -Xmx" + (2 * budgetMb + 256)
                + "m (./execstream takes it"
                + " from EXECSTREAM_JAVA_OPTS) or lower --history-budget; otherwise it may run out of memory before"
                + " it evicts old streams");
    }

    /** Whole MiB, rounded up. */
    private static long mb(long bytes) {
        return (bytes >> 20) + ((bytes & 0xFFFFF) == 0 ? 0 : 1);
    }
}
