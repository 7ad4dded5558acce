package io.execstream.adapters.opencode;

/** What wakes a run's thread: its event connections, a request to stop, and a live session's calls. */
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

    /** A call of the live session is waiting in its queue of calls. */
    record Wake() implements Signal {
    }

    /** A live session's call: send a message, interrupt the turn, or end once the turns are over. */
    sealed interface Call extends Signal {
    }

    /** Send {@code prompt} as the next message. */
    record Send(String prompt) implements Call {
    }

    /** Abort the turn that runs. */
    record Interrupt() implements Call {
    }

    /** End the session once no turn runs and no message waits. */
    record End() implements Call {
    }
}
