package io.execstream.http;

import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API keys the server accepts, each for all projects or for a named few. Keys are compared
 * as SHA-256 digests with {@link MessageDigest#isEqual}, against every key without stopping at a
 * match, so the time taken tells nothing about how much of a key was right.
 */
public final class ApiKeys {
    /** A key's digest and the projects it opens; null for all. */
    private record Entry(byte[] digest, Set<String> projects) {
    }

    /** What a presented key allows. */
    public interface Grant {
        boolean allows(ProjectId project);

        /** Whether the key is for every project, which server-wide endpoints such as {@code /metrics} require. */
        boolean allProjects();
    }

    /** The grant of a key; {@code projects} null for all. */
    private record ProjectGrant(Set<String> projects) implements Grant {
        @Override
        public boolean allows(ProjectId project) {
            return projects == null || projects.contains(project.value());
        }

        @Override
        public boolean allProjects() {
            return projects == null;
        }
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads a keys file: lines {@code KEY} or {@code KEY project-a,project-b}; {@code #} starts a
     * comment; blank lines are skipped.
     *
     * @throws IllegalArgumentException naming the line that is wrong
     */
    public static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --api-keys-file " + file + ": " + reason(e), e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String[] parts = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (parts.length == 1 && parts[0].isEmpty()) {
                continue;
            }
            if (parts.length > 2) {
                throw new IllegalArgumentException(file + " line " + (i + 1)
                        + ": expected 'KEY' or 'KEY project-a,project-b' (projects separated by commas, no spaces)");
            }
            entries.add(new Entry(digest(parts[0]), parts.length == 2 ? projects(file, i + 1, parts[1]) : null));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no key");
        }
        return new ApiKeys(entries);
    }

    /**
     * Why a file could not be read, in words: the JDK's exceptions for the common cases carry
     * only the file's name as their message.
     */
    private static String reason(IOException e) {
        String reason = e instanceof NoSuchFileException ? "no such file"
                : e instanceof AccessDeniedException ? "permission denied"
                : e instanceof CharacterCodingException ? "it is not UTF-8 text"
                : e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : e.getMessage();
        // The JDK's own ("Is a directory") read on from a colon.
        return reason == null || reason.isEmpty() ? e.getClass().getSimpleName()
                : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }

    /** One key for all projects. */
    public static ApiKeys single(String key) {
        return new ApiKeys(List.of(new Entry(digest(key), null)));
    }

    /** A fresh random key, for a server started without any. */
    public static String generate() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What {@code presented} allows, or empty when it is no key of ours. */
    public Optional<Grant> check(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = digest(presented);
        Entry found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(digest, entry.digest()) && found == null) {
                found = entry;
            }
        }
        if (found == null) {
            return Optional.empty();
        }
        return Optional.of(new ProjectGrant(found.projects()));
    }

    private static Set<String> projects(Path file, int line, String list) {
        List<String> ids = new ArrayList<>();
        for (String id : list.split(",")) {
            try {
                ids.add(ProjectId.of(id).value());
            } catch (InvalidInputException e) {
                throw new IllegalArgumentException(file + " line " + line + ": '" + id + "' is not a valid project id");
            }
        }
        return Set.copyOf(ids);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
