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
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys the server accepts, each for all projects or for a named few, and each with a name
 * that the streams record for what its holder did (who answered a request for permission): the
 * {@code name=} of its line, or {@code key-} and the first 8 hex digits of the key's SHA-256. The
 * name is safe to show and log; the key never is. Keys are compared
 * as SHA-256 digests with {@link MessageDigest#isEqual}, against every key without stopping at a
 * match, so the time taken tells nothing about how much of a key was right.
 */
public final class ApiKeys {
    /** A key's digest, the projects it opens (null for all), its name and its role. */
    private record Entry(byte[] digest, Set<String> projects, String name, Role role) {
    }

    /** A key's name: a letter or digit, then up to 63 letters, digits, {@code . _ @ -}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final String NAME_OPTION = "name=";
    private static final String ROLE_OPTION = "role=";

    /**
     * What a key may do, each role all the one before it may: {@link #VIEWER} reads (status,
     * lists, events, the viewer page, the agents); {@link #OPERATOR} also acts on streams (start,
     * cancel, input, messages, interrupt, close, answers to requests for permission, control
     * tokens); {@link #ADMIN} also reads the server-wide endpoints ({@code /metrics}). A keys file
     * line without {@code role=} is an admin's, as every key was before roles.
     */
    public enum Role {
        VIEWER, OPERATOR, ADMIN;

        /** The role's name in a keys file and in messages: {@code viewer}, {@code operator}, {@code admin}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether this role may do what {@code needed} may. */
        public boolean includes(Role needed) {
            return compareTo(needed) >= 0;
        }

        /** The role of that name, or empty. */
        public static Optional<Role> ofWireName(String name) {
            for (Role role : values()) {
                if (role.wireName().equals(name)) {
                    return Optional.of(role);
                }
            }
            return Optional.empty();
        }
    }

    /** What a presented key allows. */
    public interface Grant {
        boolean allows(ProjectId project);

        /** Whether the key is for every project, which server-wide endpoints such as {@code /metrics} require. */
        boolean allProjects();

        /** The key's name, as streams record who did something with it; never the key. */
        String name();

        /** What the key may do; {@link Role#ADMIN} for a grant that does not say. */
        default Role role() {
            return Role.ADMIN;
        }
    }

    /** The grant of a key; {@code projects} null for all. */
    private record ProjectGrant(Set<String> projects, String name, Role role) implements Grant {
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
     * Reads a keys file: lines {@code KEY} or {@code KEY project-a,project-b}, either optionally
     * followed by {@code name=NAME} (the key's name, see above) and {@code role=viewer|operator|admin}
     * (see {@link Role}; default admin), in either order; {@code #} starts a comment; blank lines are
     * skipped.
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
            String name = null;
            Role role = null;
            List<String> fields = new ArrayList<>();
            for (String part : parts) {
                if (!fields.isEmpty() && part.startsWith(NAME_OPTION) && name == null) {
                    name = part.substring(NAME_OPTION.length());
                    if (!NAME.matcher(name).matches()) {
                        throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + shown(name) + "' is not a valid "
                                + "key name: use 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
                    }
                } else if (!fields.isEmpty() && part.startsWith(ROLE_OPTION) && role == null) {
                    String wanted = part.substring(ROLE_OPTION.length());
                    int lineNo = i + 1;
                    role = Role.ofWireName(wanted).orElseThrow(() -> new IllegalArgumentException(file + " line " + lineNo
                            + ": '" + shown(wanted) + "' is not a role: use role=viewer, role=operator or role=admin"));
                } else {
                    // The projects come before the options: "KEY name=al ice" is a mistake, not project "ice".
                    fields.add(name == null && role == null ? part : "");
                }
            }
            if (fields.size() > 2 || fields.contains("")) {
                throw new IllegalArgumentException(file + " line " + (i + 1)
                        + ": expected 'KEY' or 'KEY project-a,project-b' (projects separated by commas, no spaces),"
                        + " optionally followed by name=NAME and role=viewer|operator|admin, in either order");
            }
            byte[] digest = digest(fields.get(0));
            entries.add(new Entry(digest, fields.size() == 2 ? projects(file, i + 1, fields.get(1)) : null,
                    name != null ? name : defaultName(digest), role != null ? role : Role.ADMIN));
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

    /** One key for all projects, named as a keys file line without {@code name=} would name it. */
    public static ApiKeys single(String key) {
        byte[] digest = digest(key);
        return new ApiKeys(List.of(new Entry(digest, null, defaultName(digest), Role.ADMIN)));
    }

    /** The name of a key without one of its own: {@code key-} and the first 8 hex digits of its SHA-256. */
    public static String defaultName(String key) {
        return defaultName(digest(key));
    }

    private static String defaultName(byte[] digest) {
        return "key-" + HexFormat.of().formatHex(digest, 0, 4);
    }

    /** Part of a keys file's line as an error message may show it: short, and one line. */
    private static String shown(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
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
        return Optional.of(new ProjectGrant(found.projects(), found.name(), found.role()));
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
