package io.execstream.adapters.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The C library calls of {@link PosixSpawn}, bound by JNA's direct mapping. Loading this class
 * fails (with a {@link LinkageError}) where one of them is missing: glibc has them all from 2.34.
 * The constants are Linux's, the same on every architecture the JDK builds for there.
 */
final class LibC {

    static final int O_CLOEXEC = 0x80000;
    static final int O_NONBLOCK = 0x800;
    static final short POLLIN = 0x1;
    static final int ENOSYS = 38;
    /** A {@code struct pollfd}: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;
    /** posix_spawnattr flags (glibc's spawn.h). */
    static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    static final short POSIX_SPAWN_SETSID = 0x80;
    static final int P_PID = 1;
    static final int WEXITED = 4;
    static final int WNOWAIT = 0x01000000;
    static final int EINTR = 4;
    static final int SIGTERM = 15;
    static final int SIGKILL = 9;
    /** Room for glibc's opaque types (80, 336 and 128 bytes on x86-64), with a margin for other ABIs. */
    static final int FILE_ACTIONS_SIZE = 256;
    static final int ATTRIBUTES_SIZE = 1024;
    static final int SIGSET_SIZE = 256;
    static final int SIGINFO_SIZE = 256;

    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int pipe2(int[] fds, int flags) throws LastErrorException;

    static native int close(int fd);

    static native NativeLong read(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

    static native NativeLong write(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

    static native int poll(Pointer fds, NativeLong count, int timeoutMillis) throws LastErrorException;

    static native int posix_spawn(int[] pid, Pointer path, Pointer fileActions, Pointer attributes,
                                  Pointer argv, Pointer envp);

    static native int posix_spawn_file_actions_init(Pointer fileActions);

    static native int posix_spawn_file_actions_destroy(Pointer fileActions);

    static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    static native int posix_spawn_file_actions_addchdir_np(Pointer fileActions, Pointer path);

    static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    static native int posix_spawnattr_init(Pointer attributes);

    static native int posix_spawnattr_destroy(Pointer attributes);

    static native int posix_spawnattr_setflags(Pointer attributes, short flags);

    static native int posix_spawnattr_setsigmask(Pointer attributes, Pointer mask);

    static native int sigemptyset(Pointer set);

    static native int waitid(int idType, int id, Pointer info, int options) throws LastErrorException;

    static native int waitpid(int pid, int[] status, int options) throws LastErrorException;

    static native int kill(int pid, int signal) throws LastErrorException;

    static native String strerror(int errno);
}
