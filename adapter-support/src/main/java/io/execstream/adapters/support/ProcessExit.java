package io.execstream.adapters.support;

/**
 * Waiting for the end of a process a runner started. A runner's waiter thread must see the exit
 * to report it, whatever else interrupts it meanwhile: a lost exit would leave a stream without
 * its {@code done} event.
 */
public final class ProcessExit {
    private ProcessExit() {
    }

    /**
     * Waits until {@code process} has ended and returns its exit code. An interrupt does not end
     * the wait; it is kept, and the thread is interrupted again on return.
     */
    public static int await(Process process) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
