package io.execstream.http.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Waits double from the first one up to a minute, each drawn from the upper half of its ceiling. */
class BackoffTest {

    @Test
    void doublesUpToAMinute() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(1), backoff.ceiling(1));
        assertEquals(Duration.ofSeconds(2), backoff.ceiling(2));
        assertEquals(Duration.ofSeconds(16), backoff.ceiling(5));
        assertEquals(Duration.ofMinutes(1), backoff.ceiling(7));
        assertEquals(Duration.ofMinutes(1), backoff.ceiling(Integer.MAX_VALUE));
    }

    @Test
    void eachWaitIsInTheUpperHalfOfItsCeiling() {
        Backoff backoff = new Backoff(Duration.ofMillis(200));
        boolean varied = false;
        long last = -1;
        for (int i = 0; i < 200; i++) {
            for (int attempt = 1; attempt <= 4; attempt++) {
                long ceiling = backoff.ceiling(attempt).toMillis();
                long wait = backoff.after(attempt).toMillis();
                assertTrue(wait >= ceiling / 2 && wait <= ceiling, attempt + ": " + wait + " of " + ceiling);
                if (attempt == 1) {
                    varied |= last >= 0 && wait != last;
                    last = wait;
                }
            }
        }
        assertTrue(varied, "jitter: not the same wait every time");
    }
}
