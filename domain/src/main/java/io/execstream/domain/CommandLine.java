package io.execstream.domain;

import java.util.List;

/**
 * What to run: a shell script for {@code sh -c}, or an argument vector executed as is.
 * Neither may contain NUL, which no process can receive.
 */
public sealed interface CommandLine {

    /** Longest accepted script or total argv length, in characters. */
    int MAX_LENGTH = 256 * 1024;

    /**
     * A script run by {@code sh -c -- script}: the {@code --} makes a script that starts with
     * {@code -} or {@code +} a script, not shell options.
     */
    record Shell(String script) implements CommandLine {
        public Shell {
            if (script == null || script.isBlank()) {
                throw invalid("command must not be empty");
            }
            checkText(script, "command");
            if (script.length() > MAX_LENGTH) {
                throw invalid("command is longer than " + MAX_LENGTH + " characters");
            }
        }
    }

    /** An argument vector; the first element is the program, looked up on {@code PATH}. */
    record Argv(List<String> args) implements CommandLine {
        public Argv {
            if (args == null || args.isEmpty()) {
                throw invalid("command array must not be empty");
            }
            args = List.copyOf(args.stream().map(a -> {
                if (a == null) {
                    throw invalid("command array elements must be strings");
                }
                return a;
            }).toList());
            if (args.get(0).isBlank()) {
                throw invalid("the program (first element of the command array) must not be empty");
            }
            long total = 0;
            for (String arg : args) {
                checkText(arg, "command argument");
                total += arg.length();
            }
            if (total > MAX_LENGTH) {
                throw invalid("command is longer than " + MAX_LENGTH + " characters");
            }
        }

        public static Argv of(String... args) {
            return new Argv(List.of(args));
        }
    }

    /** The argv a process runner executes: {@code sh -c -- script} or the args themselves. */
    default List<String> toArgv() {
        if (this instanceof Shell shell) {
            return List.of("sh", "-c", "--", shell.script());
        }
        return ((Argv) this).args();
    }

    private static void checkText(String text, String what) {
        if (text.indexOf('\0') >= 0) {
            throw invalid(what + " must not contain NUL");
        }
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException(ErrorCode.INVALID_COMMAND, message);
    }
}
