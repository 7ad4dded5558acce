package io.execstream.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A JVM of its own for what must be seen from outside: a program's output, its exit, its leftovers. */
final class ChildJvm {
    private ChildJvm() {
    }

    /** The command that runs {@code mainClass} with {@code args} on this test run's class path, plus {@code extraClassPath}. */
    static List<String> command(String extraClassPath, String mainClass, String... args) {
        String classPath = classPath();
        if (extraClassPath != null) {
            classPath = extraClassPath + java.io.File.pathSeparator + classPath;
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** The test run's class path: the module's classes, its test classes and their dependencies. */
    static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** Whether this user may run a command in a PID namespace of its own (root may). */
    static boolean canUnsharePid() {
        try {
            Process probe = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
