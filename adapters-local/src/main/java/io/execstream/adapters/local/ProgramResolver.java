package io.execstream.adapters.local;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Finds the file an argv program names, the way {@code execvp} would, so that a missing
 * program is reported as such instead of as an exit code 127 that a script could also return.
 */
final class ProgramResolver {

    /** What glibc's execvp searches when {@code PATH} is unset. */
    private static final String DEFAULT_PATH = "/bin:/usr/bin";

    private ProgramResolver() {
    }

    /**
     * @return the absolute path of the executable, or null if there is none
     */
    static Path resolve(String program, Path workDir, String searchPath) {
        try {
            if (program.indexOf('/') >= 0) {
                return executable(workDir.resolve(program));
            }
            String path = searchPath == null ? DEFAULT_PATH : searchPath;
            // -1 keeps a trailing empty entry, which (like a leading or inner one) means the working directory.
            for (String dir : path.split(":", -1)) {
                Path found = executable((dir.isEmpty() ? workDir : workDir.resolve(dir)).resolve(program));
                if (found != null) {
                    return found;
                }
            }
            return null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static Path executable(Path candidate) {
        // Not normalized: "dir/../x" must mean what the kernel makes of it when dir is a symlink.
        Path absolute = candidate.toAbsolutePath();
        return Files.isRegularFile(absolute) && Files.isExecutable(absolute) ? absolute : null;
    }
}
