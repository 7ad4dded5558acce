package io.execstream.adapters.opencode;

/** What wakes a run's thread: its event connections, and a request to stop. */
sealed interface Signal {

    /** The data of one event of connection {@code connection}. */
    record Data(int connection, String json) implements Signal {
    }

    /** Connection {@code connection} ended: {@code error} is null when the server closed it. */
    record Ended(int connection, Throwable error) implements Signal {
    }

    /** The run was asked to stop. */
    record Stop() implements Signal {
    }
}
