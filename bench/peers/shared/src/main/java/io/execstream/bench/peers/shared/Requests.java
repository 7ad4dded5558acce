package io.execstream.bench.peers.shared;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What the peers check in a request as execstream does: the project id, the API key, the resume position. */
public final class Requests {

    private static final Pattern PROJECT = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private Requests() {
    }

    /** Whether {@code project} is a valid project id (execstream's rule). */
    public static boolean validProject(String project) {
        return PROJECT.matcher(project).matches();
    }

    /** The keys of an API keys file: one a line, {@code #} starts a comment, the first word counts. */
    public static Set<String> apiKeys(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(line -> line.replaceAll("#.*", "").trim().split("\\s+")[0])
                .filter(key -> !key.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * How many of a stream's {@code size} events a subscriber has had, by its {@code Last-Event-ID}
     * (null: none), or -1 if that is not the id of one of them.
     */
    public static int resumeAfter(String lastEventId, int size) {
        if (lastEventId == null) {
            return 0;
        }
        try {
            int seen = Integer.parseInt(lastEventId);
            return seen >= 0 && seen <= size ? seen : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
