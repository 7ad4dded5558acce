package io.execstream.adapters.support;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The standard input of a command that keeps it open: a named pipe (FIFO) in a private directory,
 * which the process opens for reading by its path, and whose write end becomes
 * {@link io.execstream.ports.RunningCommand#stdin()}.
 *
 * <p>Why a named pipe rather than {@link Process#getOutputStream()}: a process may need its own
 * stdin for something else (the local runner's launcher reads a pipe from the server on it, to
 * die with the server), and a write blocked on the JDK's pipe cannot be released by closing it,
 * while a {@link FileChannel}'s can.
 *
 * <p>Use, on the runner's thread: {@link #open()} makes the pipe and holds it open for reading
 * and writing, so that the process's open for reading never blocks; start the process, which
 * opens {@link #path()}; once it surely has (the process exists, or has been seen to), call
 * {@link #connect()}, which opens the write end, lets go of the holder and removes the file, so
 * that the process (and what it starts) is the pipe's only reader: once they are gone, a write
 * fails ({@code EPIPE}, which the JVM ignores as a signal and reports as an {@link IOException}).
 * If the start fails, {@link #close()} gives everything up. The data never passes through a
 * shell or a command line.
 */
public final class StdinPipe implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StdinPipe.class.getName());
    private static final List<Path> MKFIFO_CANDIDATES = List.of(Path.of("/usr/bin/mkfifo"), Path.of("/bin/mkfifo"));
    private static final File DEV_NULL = new File("/dev/null");
    private static final long MKFIFO_LIMIT_SECONDS = 10;

    private final Path directory;
    private final Path path;
    private final FileChannel holder;
    private boolean done;

    private StdinPipe(Path directory, Path path, FileChannel holder) {
        this.directory = directory;
        this.path = path;
        this.holder = holder;
    }

    /**
     * Makes the pipe, readable and writable by this user only, in a new directory of the JVM's
     * temporary directory, and holds it open. One {@code mkfifo} process per call.
     *
     * @throws IOException if the pipe cannot be made
     */
    public static StdinPipe open() throws IOException {
        Path directory = Files.createTempDirectory("execstream-stdin-");
        Path path = directory.resolve("stdin");
        try {
            mkfifo(path);
            // Read and write at once: on Linux that open never waits for the other end.
            FileChannel holder = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new StdinPipe(directory, path, holder);
        } catch (IOException | RuntimeException e) {
            remove(directory, path);
            throw e;
        }
    }

    /** The file the process opens for reading as its stdin, until {@link #connect()} or {@link #close()}. */
    public Path path() {
        return path;
    }

    /**
     * Opens the write end and makes the process the only reader; the file is removed. Call once
     * the process holds the read end: before that, the pipe would have no reader and the
     * stream's writes would fail. On failure the pipe is given up.
     */
    public synchronized CommandStdin connect() throws IOException {
        if (done) {
            throw new IllegalStateException("already connected or closed");
        }
        try {
            // A reader exists (the holder, the process): this open does not wait.
            return new CommandStdin(FileChannel.open(path, StandardOpenOption.WRITE));
        } finally {
            close();
        }
    }

    /** Lets go of the holder and removes the pipe's file; a write end already handed out stays open. */
    @Override
    public synchronized void close() {
        done = true;
        try {
            holder.close();
        } catch (IOException e) {
            // Nothing to do: the descriptor is gone either way.
        }
        remove(directory, path);
    }

    private static void mkfifo(Path path) throws IOException {
        String program = MKFIFO_CANDIDATES.stream().filter(Files::isExecutable).findFirst()
                .map(Path::toString).orElse("mkfifo");
        ProcessBuilder builder = new ProcessBuilder(program, "-m", "600", "--", path.toString())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        try {
            if (!process.waitFor(MKFIFO_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("mkfifo did not finish within " + MKFIFO_LIMIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making the stdin pipe", e);
        }
        if (process.exitValue() != 0 || !Files.exists(path)) {
            throw new IOException("mkfifo failed with status " + process.exitValue());
        }
    }

    private static void remove(Path directory, Path path) {
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot remove " + directory + ": " + e.getMessage());
        }
    }
}
