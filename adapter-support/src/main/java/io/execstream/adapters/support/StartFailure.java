package io.execstream.adapters.support;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why the system could not start a process, for the readers of a stream: in words that name no
 * path, program or setting of the server (the JDK's message names the program and the working
 * directory). The runner logs the full detail.
 */
public final class StartFailure {

    /** The errno the JDK puts in its message, as in {@code error=7, Argument list too long}. */
    private static final Pattern ERRNO = Pattern.compile("error=(\\d+)");

    private StartFailure() {
    }

    /** What failed, from the exception {@link ProcessBuilder#start()} threw. */
    public static String reason(Exception e) {
        Matcher errno = ERRNO.matcher(String.valueOf(e.getMessage()));
        int code = errno.find() ? Integer.parseInt(errno.group(1)) : -1;
        return switch (code) {
            case 2 -> "a program it needs was not found";
            case 7 -> "its command line is too long for the system";
            case 11, 12 -> "the system is out of processes or memory";
            case 13 -> "permission was denied";
            default -> "the system could not start a process for it";
        };
    }
}
