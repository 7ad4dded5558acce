package io.execstream.ports;

import io.execstream.domain.CommandSpec;
import io.execstream.domain.ProjectId;

/**
 * Starts commands in a project's environment: a local process, a container, a pod.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@link #start} returns promptly with a handle and never waits for the command. It does not
 *       throw for a command that cannot be started (missing program, unreachable environment):
 *       that is reported as {@link CommandExit.FailedToStart} through {@link CommandListener#onExit},
 *       on a runner thread, possibly before {@code start} has returned. It throws only for a
 *       programming error (a null argument).</li>
 *   <li>{@link CommandListener#onOutput} is called as the command writes, on threads the runner
 *       owns, possibly before {@code start} has returned. Calls for one {@link io.execstream.domain.OutputType}
 *       are sequential and in the order the bytes were written; stdout and stderr may be delivered
 *       concurrently with each other.</li>
 *   <li>{@link CommandListener#onExit} is called exactly once, after every {@code onOutput} call has
 *       returned and when no more output will come. Nothing is called after it.</li>
 *   <li>If a listener method throws, the runner stops delivering output, terminates the command,
 *       and still calls {@code onExit} exactly once: no further {@code onOutput} call is made for
 *       that pipe.</li>
 * </ol>
 *
 * <h2>What is the runner's and what is not</h2>
 * <ul>
 *   <li>{@link RunningCommand#terminate()} stops the command and everything it started, however
 *       far away it runs: killing a local client (kubectl, ssh) is not enough.</li>
 *   <li>When the command's main process exits, the runner waits a short drain period for the
 *       output pipes to close; processes it left behind that still hold them open are stopped.</li>
 *   <li>{@link CommandSpec#timeout()} is enforced by the caller (the core calls
 *       {@code terminate}), not by the runner.</li>
 * </ul>
 *
 * <p>Implementations must be safe for concurrent use: many commands run at once.
 */
public interface CommandRunner {

    /**
     * Starts {@code spec} in {@code project}'s environment.
     *
     * @return a handle to stop the command; never null
     */
    RunningCommand start(ProjectId project, CommandSpec spec, CommandListener listener);
}
