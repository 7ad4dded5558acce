package io.execstream.core;

import io.execstream.domain.CommandSpec;
import io.execstream.domain.OutputType;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A runner at the edge of the core, driven by the test: it writes and exits when told. */
final class ScriptedRunner implements CommandRunner {
    final List<Started> started = new CopyOnWriteArrayList<>();
    volatile CommandExit failImmediately;

    final class Started implements RunningCommand {
        final ProjectId project;
        final CommandSpec spec;
        final CommandListener listener;
        final AtomicInteger terminations = new AtomicInteger();

        Started(ProjectId project, CommandSpec spec, CommandListener listener) {
            this.project = project;
            this.spec = spec;
            this.listener = listener;
        }

        void write(OutputType type, String text) {
            listener.onOutput(type, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }

        void exit(int code) {
            listener.onExit(new CommandExit.Exited(code));
        }

        /** Whether the command is to have ended by itself before any stop: stops are then not taken. */
        volatile boolean endedFirst;

        @Override
        public void terminate() {
            terminations.incrementAndGet();
        }

        @Override
        public boolean terminateIfRunning() {
            terminate();
            return !endedFirst;
        }
    }

    @Override
    public RunningCommand start(ProjectId project, CommandSpec spec, CommandListener listener) {
        Started command = new Started(project, spec, listener);
        started.add(command);
        if (failImmediately != null) {
            listener.onExit(failImmediately);
        }
        return command;
    }

    /** The latest start, waiting for the first: the service starts commands on threads of its own. */
    Started last() {
        awaitStarts(1);
        return started.get(started.size() - 1);
    }

    /** Waits, at most 10 s, until {@code count} commands have reached this runner. */
    void awaitStarts(int count) {
        Waits.until(() -> started.size() >= count, () -> "expected " + count + " start(s), got " + started.size());
    }
}
