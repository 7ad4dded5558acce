package io.execstream.adapters.kubectl;

import io.execstream.ports.CommandExit;
import java.util.List;
import java.util.regex.Pattern;

/** Turns what kubectl and the wrapper reported into the command's {@link CommandExit}. */
final class Outcome {

    static final String NO_SHELL = "the container has no /bin/sh; execstream needs a POSIX shell in the pod";
    static final String CONNECTION_LOST = "lost the connection to the pod while the command ran; its outcome is unknown";
    /** What kubectl's own words start with in the stream, so that they are not taken for the command's. */
    static final String KUBECTL = "kubectl: ";

    /** How the runtime says it could not exec sh ({@code exec: "sh": executable file not found in $PATH}). */
    private static final Pattern SHELL_MISSING = Pattern.compile(
            "(?s).*(exec: \\\\?\"sh\\\\?\"|\"sh\": executable file not found|\\bsh: (not found|no such file)).*",
            Pattern.CASE_INSENSITIVE);
    /** klog's prefix, as in {@code E1123 23:59:33.732299   13061 memcache.go:265] ...}. */
    private static final Pattern KLOG = Pattern.compile("[IWEF]\\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d+ .*");
    private static final int MAX_MESSAGE = 1000;

    /**
     * @param kubectlExit   kubectl's own exit value
     * @param terminated    whether {@code terminate} was called
     * @param destroyed     whether the runner had to kill the local kubectl
     * @param program       the command's program, for "command not found"
     */
    static CommandExit of(StderrFilter stderr, int kubectlExit, boolean terminated, boolean destroyed, String program) {
        if (stderr.notFound()) {
            return new CommandExit.FailedToStart("command not found: " + program);
        }
        if (stderr.exitCode() != null) {
            return new CommandExit.Exited(stderr.exitCode());
        }
        Integer terminatedCode = stderr.terminatedCode();
        if (stderr.started()) {
            if (terminatedCode != null) {
                // The wrapper itself was ended (by a KILL from elsewhere, or the OOM killer).
                return new CommandExit.Exited(terminatedCode);
            }
            if (terminated) {
                return new CommandExit.Exited(137);
            }
            return new CommandExit.FailedToStart(CONNECTION_LOST + " (kubectl exited with code " + kubectlExit + ")");
        }
        String said = stderr.earlyText();
        if (terminated && destroyed) {
            return new CommandExit.FailedToStart("stopped before the command started in the pod"
                    + (said.isBlank() ? "" : ": " + message(said)));
        }
        if ((terminatedCode != null && (terminatedCode == 126 || terminatedCode == 127))
                || SHELL_MISSING.matcher(said).matches()) {
            return new CommandExit.FailedToStart(NO_SHELL);
        }
        if (said.isBlank()) {
            return new CommandExit.FailedToStart(KUBECTL + "exited with code " + kubectlExit + " without running the command");
        }
        return new CommandExit.FailedToStart(message(said));
    }

    /**
     * kubectl's message for a person, after {@code kubectl: }: its lines without klog's noise when
     * there is anything else.
     */
    static String message(String said) {
        List<String> lines = said.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        List<String> plain = lines.stream().filter(line -> !KLOG.matcher(line).matches()).toList();
        String text = KUBECTL + String.join("; ", plain.isEmpty() ? lines : plain);
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...";
    }

    private Outcome() {
    }
}
