package io.execstream.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A {@link CommandListener} for tests: keeps every byte per {@link OutputType}, records the
 * exit, and notes every breach of the {@link io.execstream.ports.CommandRunner} threading
 * contract (overlapping calls for one stream, output after the exit, a second exit). Breaches
 * are not thrown from the runner's threads, where they could be swallowed; {@link #awaitExit}
 * and {@link #assertContractKept} report them.
 */
public class RecordingListener implements CommandListener {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<OutputType, ByteArrayOutputStream> output = new EnumMap<>(OutputType.class);
    private final Map<OutputType, Integer> calls = new EnumMap<>(OutputType.class);
    private final Map<OutputType, Boolean> inCall = new EnumMap<>(OutputType.class);
    private final List<String> violations = new ArrayList<>();
    private CommandExit exit;
    private int exits;

    public RecordingListener() {
        for (OutputType type : OutputType.values()) {
            output.put(type, new ByteArrayOutputStream());
            calls.put(type, 0);
            inCall.put(type, false);
        }
    }

    @Override
    public void onOutput(OutputType type, ByteBuffer bytes) {
        lock.lock();
        try {
            if (exits > 0) {
                violations.add("onOutput(" + type + ") after onExit");
            }
            if (inCall.get(type)) {
                violations.add("overlapping onOutput calls for " + type);
            }
            inCall.put(type, true);
        } finally {
            lock.unlock();
        }
        // Copied outside the lock so that an overlapping call can be seen; the buffer is ours only now.
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        lock.lock();
        try {
            output.get(type).writeBytes(copy);
            calls.merge(type, 1, Integer::sum);
            inCall.put(type, false);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        afterOutput(type, copy);
    }

    /** Called at the end of each {@link #onOutput}, on the runner's thread; a subclass may throw here. */
    protected void afterOutput(OutputType type, byte[] bytes) {
    }

    @Override
    public void onExit(CommandExit exit) {
        lock.lock();
        try {
            exits++;
            if (exits > 1) {
                violations.add("onExit called again (" + exit + " after " + this.exit + ")");
                return;
            }
            for (OutputType type : OutputType.values()) {
                if (inCall.get(type)) {
                    violations.add("onExit while onOutput(" + type + ") had not returned");
                }
            }
            this.exit = exit;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for {@code onExit} and checks the contract so far.
     *
     * @return the reported exit
     */
    public CommandExit awaitExit(Duration timeout) {
        await(timeout, () -> exit != null, "onExit within " + timeout);
        assertContractKept();
        return exit();
    }

    /** Waits until everything written to {@code type} so far, decoded as UTF-8, contains {@code text}. */
    public void awaitOutput(OutputType type, String text, Duration timeout) {
        await(timeout, () -> decode(output.get(type).toByteArray()).contains(text),
                type.wireName() + " containing \"" + text + "\" within " + timeout
                        + " (so far: \"" + abbreviate(text(type)) + "\", exit: " + exit() + ")");
    }

    /** Fails if the runner broke the threading contract at any time so far. */
    public void assertContractKept() {
        lock.lock();
        try {
            if (!violations.isEmpty()) {
                fail("the runner broke the CommandListener contract: " + violations);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The exit reported so far, or null. */
    public CommandExit exit() {
        lock.lock();
        try {
            return exit;
        } finally {
            lock.unlock();
        }
    }

    /** Every byte written to {@code type} so far. */
    public byte[] bytes(OutputType type) {
        lock.lock();
        try {
            return output.get(type).toByteArray();
        } finally {
            lock.unlock();
        }
    }

    /** Everything written to {@code type} so far, decoded as UTF-8 as a whole (never per chunk). */
    public String text(OutputType type) {
        return decode(bytes(type));
    }

    public String stdout() {
        return text(OutputType.STDOUT);
    }

    public String stderr() {
        return text(OutputType.STDERR);
    }

    /** How many {@code onOutput} calls {@code type} got. */
    public int outputCalls(OutputType type) {
        lock.lock();
        try {
            return calls.get(type);
        } finally {
            lock.unlock();
        }
    }

    private void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    fail("timed out waiting for " + what);
                }
                changed.await(remaining, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting for " + what);
        } finally {
            lock.unlock();
        }
    }

    private static String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 100) + "..." + text.substring(text.length() - 100);
    }
}
