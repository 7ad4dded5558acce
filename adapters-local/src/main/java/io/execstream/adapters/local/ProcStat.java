package io.execstream.adapters.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What {@code /proc} (Linux) tells about a process: state, process group, session, open files. */
record ProcStat(long pid, char state, long processGroup, long session) {

    private static final Path PROC = Path.of("/proc");

    /** @return the process's stat, or null if it does not exist (or /proc is unreadable) */
    static ProcStat read(long pid) {
        try {
            return parse(pid, statText(pid));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether some living process is in process group {@code pgid} of session {@code pgid}. */
    static boolean groupHasMembers(long pgid) {
        return !groupMembers(pgid).isEmpty();
    }

    /** The living (not zombie) processes in process group {@code pgid} of session {@code pgid}. */
    static List<Long> groupMembers(long pgid) {
        List<Long> members = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path entry : entries) {
                ProcStat stat = read(Long.parseLong(entry.getFileName().toString()));
                if (stat != null && stat.processGroup == pgid && stat.session == pgid && stat.isRunning()) {
                    members.add(stat.pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc unreadable: nothing known.
        }
        return members;
    }

    /**
     * The processes, other than this JVM, that hold any of {@code pipes} ({@code pipe:[inode]})
     * open, among those started no earlier than {@code notBefore} (a start time as
     * {@link #startTime} gives it): only the command's own processes can have inherited its pipes.
     */
    static List<ProcessHandle> holders(Set<String> pipes, long notBefore) {
        List<ProcessHandle> holders = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path entry : entries) {
                long pid = Long.parseLong(entry.getFileName().toString());
                if (pid != self && startTime(pid) >= notBefore && holdsAny(pid, pipes)) {
                    ProcessHandle.of(pid).ifPresent(holders::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc unreadable: nothing known.
        }
        return holders;
    }

    private static boolean holdsAny(long pid, Set<String> pipes) {
        for (String file : openFiles(pid)) {
            if (pipes.contains(file)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this kernel lists each thread's children in /proc (CONFIG_PROC_CHILDREN). */
    private static final boolean LISTS_CHILDREN = listsChildren();

    private static boolean listsChildren() {
        String self = Long.toString(ProcessHandle.current().pid());
        return Files.isReadable(PROC.resolve(self).resolve("task").resolve(self).resolve("children"));
    }

    /**
     * The descendants of {@code pid}, from the kernel's lists of each thread's children (a child
     * is listed under the thread that forked it), breadth first: a few small files per process of
     * the tree, where {@link ProcessHandle#descendants()} reads the stat of every process on the
     * machine (with 500 commands running, stopping them all took over a minute of the server's
     * CPU). Empty if {@code pid} is gone; null where the kernel keeps no such lists, for the
     * caller to ask the JDK.
     */
    static List<Long> descendants(long pid) {
        if (!LISTS_CHILDREN) {
            return null;
        }
        List<Long> found = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Long> next = new ArrayDeque<>();
        next.add(pid);
        seen.add(pid);
        while (!next.isEmpty()) {
            long parent = next.poll();
            try (DirectoryStream<Path> threads = Files.newDirectoryStream(PROC.resolve(Long.toString(parent)).resolve("task"))) {
                for (Path thread : threads) {
                    for (long child : listed(thread.resolve("children"))) {
                        if (seen.add(child)) {
                            found.add(child);
                            next.add(child);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Gone meanwhile: its children, if any, were given to another parent.
            }
        }
        return found;
    }

    /** The pids in a children file; empty if it cannot be read (its thread ended). */
    private static List<Long> listed(Path childrenFile) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String pid : Files.readString(childrenFile, StandardCharsets.US_ASCII).trim().split(" ")) {
                if (!pid.isEmpty()) {
                    pids.add(Long.parseLong(pid));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Ended meanwhile.
        }
        return pids;
    }

    /** When {@code pid} started, in clock ticks since boot (field 22 of its stat); -1 if unknown. */
    static long startTime(long pid) {
        try {
            return Long.parseLong(fields(statText(pid))[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** What the open files of {@code pid} are ({@code pipe:[123]}, a path...); empty if unknown. */
    static Set<String> openFiles(long pid) {
        Set<String> files = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    files.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // Closed meanwhile.
                }
            }
        } catch (IOException | RuntimeException e) {
            // Gone, or not ours to look at.
        }
        return files;
    }

    /** The pipes (as {@code pipe:[inode]}) that {@code pid}'s stdout and stderr are; empty if unknown. */
    static Set<String> outputPipes(long pid) {
        Set<String> pipes = new HashSet<>();
        for (int fd = 1; fd <= 2; fd++) {
            String file = openFile(pid, fd);
            if (file != null && file.startsWith("pipe:")) {
                pipes.add(file);
            }
        }
        return Set.copyOf(pipes);
    }

    /** The file descriptor {@code fd} of {@code pid}, as {@code /proc} shows it; null if unknown. */
    static String openFile(long pid, int fd) {
        try {
            return Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("fd").resolve(Integer.toString(fd))).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A zombie (Z) or dead (X) process can no longer run or hold a pipe. */
    boolean isRunning() {
        return state != 'Z' && state != 'X';
    }

    static ProcStat parse(long pid, String text) {
        String[] fields = fields(text);
        return new ProcStat(pid, fields[0].charAt(0), Long.parseLong(fields[2]), Long.parseLong(fields[3]));
    }

    /** The fields of a stat line from the third (the state) on. */
    private static String[] fields(String text) {
        // The command name in parentheses may itself contain spaces and ')': fields start after the last ')'.
        return text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
    }

    private static String statText(long pid) throws IOException {
        return Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
    }
}
