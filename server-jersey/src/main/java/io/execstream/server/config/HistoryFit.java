package io.execstream.server.config;

import java.util.Optional;

/**
 * Whether {@code --max-history} and {@code --history-budget} make sense together. The budget is
 * shared by all streams: with a per-stream limit above it, one large stream takes the whole budget
 * and the output of every other stream (and with the memory publisher, which holds running
 * streams to the budget too, it never reaches its own limit). That is rarely what was meant, so
 * it is said at start-up rather than found out later.
 */
public final class HistoryFit {
    private HistoryFit() {
    }

    /** A warning when {@code maxHistory} is more than {@code historyBudget}; empty otherwise. */
    public static Optional<String> check(long maxHistory, long historyBudget) {
        if (maxHistory <= historyBudget) {
            return Optional.empty();
        }
        return Optional.of("--max-history " + size(maxHistory) + " is more than --history-budget " + size(historyBudget)
                + ", which all streams share: one stream can take the whole budget and the output of every other"
                + " stream; raise --history-budget or lower --max-history");
    }

    /** As the flags take it: in whole MB or KB when it is, else in bytes. */
    static String size(long bytes) {
        if (bytes % (1 << 20) == 0) {
            return (bytes >> 20) + "MB";
        }
        return bytes % 1024 == 0 ? (bytes >> 10) + "KB" : Long.toString(bytes);
    }
}
