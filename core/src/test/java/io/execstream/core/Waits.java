package io.execstream.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits for what the service does on threads of its own, such as starting a command. */
final class Waits {
    private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private Waits() {
    }

    /** Returns once {@code condition} holds; fails with {@code failure} after 10 s. */
    static void until(BooleanSupplier condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + LIMIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
