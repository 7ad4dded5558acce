package io.execstream.adapters.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.StringArray;
import java.io.Closeable;
import java.io.FileInputStream;
import java.io.FilterInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Starts a child with the C library's {@code posix_spawn}, in a session and process group of its
 * own ({@code POSIX_SPAWN_SETSID}): what the JDK would need two programs more for, its
 * {@code jspawnhelper} and {@code setsid}, each an {@code exec} of a few milliseconds before the
 * command's own program.
 *
 * <p>The child gets pipes to the runner as its stdin, stdout and stderr, the working directory and
 * the environment it is given, and nothing else: every other descriptor is closed in it
 * ({@code posix_spawn_file_actions_addclosefrom_np}, one {@code close_range} call where the JDK lists
 * {@code /proc/self/fd}), and its signal mask is empty. Signals the server ignores stay ignored in
 * it, as in a child the JDK starts. The runner's ends of the pipes are opened again through
 * {@code /proc/self/fd}, as plain file streams, and the descriptors the spawn used are closed.
 *
 * <p>Available on Linux with glibc 2.34 or later and JNA's native library; elsewhere
 * {@link #available()} is false and the runner starts commands through the JDK.
 */
final class PosixSpawn {

    private static final System.Logger LOG = System.getLogger(PosixSpawn.class.getName());
    private static final boolean AVAILABLE = probe();
    /** How the JDK encodes a program's arguments and environment. */
    private static final Charset ENCODING = encoding();

    private PosixSpawn() {
    }

    /** Whether this JVM can start children this way. */
    static boolean available() {
        return AVAILABLE;
    }

    /**
     * Starts {@code argv} (its first element a path) in {@code directory} with exactly
     * {@code environment}, as the leader of a new session.
     *
     * @throws IOException as {@link ProcessBuilder#start()} would, with the error number in the message
     */
    static Process start(List<String> argv, Map<String, String> environment, Path directory) throws IOException {
        return start(argv, environment, directory, true);
    }

    /** {@link #start}; with {@code sharedReaper} false, the child gets a waiting thread of its own, as without pidfds. */
    static Process start(List<String> argv, Map<String, String> environment, Path directory, boolean sharedReaper)
            throws IOException {
        List<String> variables = new ArrayList<>(environment.size());
        environment.forEach((name, value) -> variables.add(name + "=" + value));
        StringArray arguments = cStrings(argv);
        StringArray envp = cStrings(variables);
        int[] fds = new int[6];
        Arrays.fill(fds, -1);
        int pid = 0;
        OutputStream stdin = null;
        InputStream stdout = null;
        InputStream stderr = null;
        try {
            pipe(fds, 0); // the child's stdin: it reads fds[0], we write fds[1]
            pipe(fds, 2); // its stdout: it writes fds[3], we read fds[2]
            pipe(fds, 4); // its stderr: it writes fds[5], we read fds[4]
            pid = spawn(argv.get(0), directory, arguments, envp, fds[0], fds[3], fds[5]);
            // Our copies of the child's ends are still open, so that no open here waits for the other side.
            stdin = new FileOutputStream(procFd(fds[1]));
            stdout = new PipeInputStream(procFd(fds[2]));
            stderr = new PipeInputStream(procFd(fds[4]));
            return SpawnedProcess.started(pid, stdin, stdout, stderr, sharedReaper);
        } catch (IOException | RuntimeException e) {
            closeQuietly(stdin);
            closeQuietly(stdout);
            closeQuietly(stderr);
            if (pid > 0) {
                // Started, but we cannot talk to it: it must not run unseen.
                try {
                    LibC.kill(pid, LibC.SIGKILL);
                    LibC.waitpid(pid, new int[1], 0);
                } catch (LastErrorException gone) {
                    e.addSuppressed(gone);
                }
            }
            throw e;
        } finally {
            for (int fd : fds) {
                if (fd >= 0) {
                    LibC.close(fd);
                }
            }
        }
    }

    /** The {@code posix_spawn} call itself, with {@code in}, {@code out} and {@code err} as fds 0, 1 and 2; the pid. */
    private static int spawn(String program, Path directory, StringArray arguments, StringArray envp,
                             int in, int out, int err) throws IOException {
        Memory actions = new Memory(LibC.FILE_ACTIONS_SIZE);
        Memory attributes = new Memory(LibC.ATTRIBUTES_SIZE);
        Memory mask = new Memory(LibC.SIGSET_SIZE);
        boolean actionsMade = false;
        boolean attributesMade = false;
        try {
            check(LibC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            actionsMade = true;
            check(LibC.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            attributesMade = true;
            // In this order: the pipes onto 0-2 (dup2 clears close-on-exec), the directory, then nothing else open.
            check(LibC.posix_spawn_file_actions_adddup2(actions, in, 0), "adddup2");
            check(LibC.posix_spawn_file_actions_adddup2(actions, out, 1), "adddup2");
            check(LibC.posix_spawn_file_actions_adddup2(actions, err, 2), "adddup2");
            check(LibC.posix_spawn_file_actions_addchdir_np(actions, cString(directory.toString())), "addchdir_np");
            check(LibC.posix_spawn_file_actions_addclosefrom_np(actions, 3), "addclosefrom_np");
            check(LibC.sigemptyset(mask) == 0 ? 0 : -1, "sigemptyset");
            check(LibC.posix_spawnattr_setsigmask(attributes, mask), "setsigmask");
            check(LibC.posix_spawnattr_setflags(attributes,
                    (short) (LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK)), "setflags");
            int[] pid = new int[1];
            Memory path = cString(program);
            int error = LibC.posix_spawn(pid, path, actions, attributes, arguments, envp);
            // JNA passes addresses: the memory behind them must not be freed before the call returns.
            Reference.reachabilityFence(path);
            Reference.reachabilityFence(arguments);
            Reference.reachabilityFence(envp);
            if (error != 0) {
                // The JDK's words, which StartFailure reads the error number from.
                throw new IOException("Cannot run program \"" + program + "\" (in directory \"" + directory
                        + "\"): error=" + error + ", " + LibC.strerror(error));
            }
            return pid[0];
        } finally {
            if (attributesMade) {
                LibC.posix_spawnattr_destroy(attributes);
            }
            if (actionsMade) {
                LibC.posix_spawn_file_actions_destroy(actions);
            }
        }
    }

    private static void closeQuietly(Closeable stream) {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException e) {
                // Nothing more to release.
            }
        }
    }

    /**
     * The read end of a pipe. Only the reads of {@link FileInputStream} are used: its
     * {@code readAllBytes} and {@code transferTo} seek, which a pipe refuses ({@code Illegal seek}).
     */
    private static final class PipeInputStream extends FilterInputStream {
        PipeInputStream(String path) throws IOException {
            super(new FileInputStream(path));
        }
    }

    private static void pipe(int[] fds, int at) throws IOException {
        int[] pipe = new int[2];
        try {
            LibC.pipe2(pipe, LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("Cannot make a pipe: error=" + e.getErrorCode() + ", " + LibC.strerror(e.getErrorCode()));
        }
        fds[at] = pipe[0];
        fds[at + 1] = pipe[1];
    }

    private static void check(int result, String call) throws IOException {
        if (result != 0) {
            throw new IOException(call + " failed: error=" + result);
        }
    }

    private static String procFd(int fd) {
        return "/proc/self/fd/" + fd;
    }

    /** One C string: the bytes of {@code value} and a NUL. */
    private static Memory cString(String value) throws IOException {
        checkNoNul(value);
        byte[] bytes = Native.toByteArray(value, ENCODING);
        Memory memory = new Memory(bytes.length);
        memory.write(0, bytes, 0, bytes.length);
        return memory;
    }

    /** A NULL-terminated array of C strings (JNA's {@link StringArray} keeps the strings with it). */
    private static StringArray cStrings(List<String> values) throws IOException {
        for (String value : values) {
            checkNoNul(value);
        }
        return new StringArray(values.toArray(String[]::new), ENCODING.name());
    }

    private static void checkNoNul(String value) throws IOException {
        if (value.indexOf('\0') >= 0) {
            // As the JDK refuses it: C would cut the string there.
            throw new IOException("invalid null character in command");
        }
    }

    private static boolean probe() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return false;
        }
        try {
            Class.forName(LibC.class.getName(), true, PosixSpawn.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            // Once per JVM, and only on Linux, where it was expected: a start costs about 5 ms more without it.
            LOG.log(System.Logger.Level.INFO, "commands start through the JDK under setsid: posix_spawn through JNA"
                    + " is not available here (" + e + ")");
            return false;
        }
    }

    private static Charset encoding() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
