package io.execstream.bench.peers.shared;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A command run by {@code sh -c} in a directory, stdin from {@code /dev/null}, each pipe read on a
 * platform thread of its own (reading blocks in the kernel), as the better-sse peer runs it. Its
 * {@link Listener} gets each read as an output event's data, never a character split between two,
 * then the done event's data once both pipes have ended and the process has exited.
 */
public final class CommandRun {

    /** Where a run's output and end go; output comes from two threads, one pipe each. */
    public interface Listener {
        /** One read of one pipe. */
        void output(EventData.Output output);

        /** The last call: the run has ended. */
        void done(EventData.Done done);
    }

    private final long startedAt = System.currentTimeMillis();
    private final Process process;
    private volatile boolean cancelled;

    private CommandRun(Process process) {
        this.process = process;
    }

    /** Starts {@code command} in {@code directory} (made if missing); a command that cannot start ends at once, {@code failed}. */
    public static CommandRun start(Path directory, String command, Listener listener) {
        Process process;
        try {
            process = new ProcessBuilder("sh", "-c", command).directory(Files.createDirectories(directory).toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            CommandRun failed = new CommandRun(null);
            listener.done(new EventData.Done(null, 0, "failed"));
            return failed;
        }
        CommandRun run = new CommandRun(process);
        CountDownLatch pipes = new CountDownLatch(2);
        daemon("stdout-" + process.pid(), () -> run.pump("stdout", process.getInputStream(), listener, pipes));
        daemon("stderr-" + process.pid(), () -> run.pump("stderr", process.getErrorStream(), listener, pipes));
        daemon("wait-" + process.pid(), () -> {
            try {
                pipes.await();
                int code = process.waitFor(); // 128 + the signal's number if a signal ended it
                listener.done(new EventData.Done(code, System.currentTimeMillis() - run.startedAt,
                        run.cancelled ? "cancelled" : "exited"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return run;
    }

    // The decoder keeps a character's first bytes until the rest has come; a read hands over what it has.
    private void pump(String type, InputStream pipe, Listener listener, CountDownLatch ended) {
        char[] buffer = new char[64 * 1024];
        try (Reader in = new InputStreamReader(pipe, StandardCharsets.UTF_8)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                listener.output(new EventData.Output(type, new String(buffer, 0, n)));
            }
        } catch (IOException e) {
            // the pipe was closed under us: that is its end
        } finally {
            ended.countDown();
        }
    }

    /** SIGTERM to the command and every process it started, if it is still running. */
    public void cancel() {
        if (process != null && process.isAlive()) {
            cancelled = true;
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
