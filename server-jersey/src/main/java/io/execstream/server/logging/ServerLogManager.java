package io.execstream.server.logging;

import java.util.logging.LogManager;

/**
 * Keeps logging alive while the server shuts down. The JDK's log manager resets itself (closing
 * every handler) in a shutdown hook of its own, which races with the server's: the lines saying
 * which commands were cancelled at shutdown would be lost. The server's {@code Main} installs
 * this manager (by its class name, so the class and its constructor are public), which resets
 * only when the server asks.
 */
public final class ServerLogManager extends LogManager {
    private volatile boolean resetAllowed;

    /** Resets now, as {@link LogFormat#install()} needs to. */
    void resetForInstall() {
        resetAllowed = true;
        try {
            reset();
        } finally {
            resetAllowed = false;
        }
    }

    @Override
    public void reset() {
        if (resetAllowed) {
            super.reset();
        }
    }
}
