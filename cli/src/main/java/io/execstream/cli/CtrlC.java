package io.execstream.cli;

import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) for a command that lives on after it: each press runs the action, on the JVM's
 * signal thread, instead of ending the process. The only place that touches
 * {@code sun.misc.Signal}, so that the commands take a plain {@link Runnable} that tests call
 * without a signal.
 */
final class CtrlC {
    private CtrlC() {
    }

    /** Runs {@code onPress} at each SIGINT from now on; the process no longer ends on one. */
    static void onEachPress(Runnable onPress) {
        Signal.handle(new Signal("INT"), signal -> onPress.run());
    }
}
