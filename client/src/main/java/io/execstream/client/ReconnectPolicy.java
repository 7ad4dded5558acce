package io.execstream.client;

import java.time.Duration;

/**
 * How a followed stream reconnects; see {@link ExecStreamClient.Builder#reconnect}.
 *
 * @param maxAttempts    attempts in a row that bring no event before giving up
 * @param delay          the first delay until the server sends {@code retry:}
 * @param maxDelay       the longest delay, whatever the doubling or the server say
 */
record ReconnectPolicy(int maxAttempts, Duration delay, Duration maxDelay) {

    /**
     * The wait before attempt {@code attempt} (1 for the first after a drop), given the
     * server's {@code retry:} in milliseconds, or null if it sent none.
     */
    Duration delayBefore(int attempt, Long serverRetryMs) {
        long base = serverRetryMs != null ? serverRetryMs : delay.toMillis();
        long max = maxDelay.toMillis();
        long ms = Math.max(base, 1);
        for (int i = 1; i < attempt && ms < max; i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, max));
    }
}
