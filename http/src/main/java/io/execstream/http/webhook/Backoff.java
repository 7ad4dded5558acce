package io.execstream.http.webhook;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before the next attempt of a delivery: {@code first} after the first attempt, doubled
 * after each further one, at most {@link #MAX}, with "equal jitter" (a random point in the upper
 * half of that), so that receivers that come back are not hit by every sender at once.
 */
record Backoff(Duration first) {
    /** The longest wait between two attempts. */
    static final Duration MAX = Duration.ofMinutes(1);

    /** The wait after attempt {@code attempt} (from 1) failed. */
    Duration after(int attempt) {
        long ceiling = ceiling(attempt).toMillis();
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    /** The most {@link #after} waits for {@code attempt}: {@code first} doubled {@code attempt - 1} times, at most {@link #MAX}. */
    Duration ceiling(int attempt) {
        long millis = first.toMillis();
        for (int i = 1; i < attempt && millis < MAX.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, MAX.toMillis()));
    }
}
