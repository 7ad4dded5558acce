package io.execstream.domain;

import java.util.regex.Pattern;

/**
 * A project's id: a DNS-1123 label (lower-case letters, digits and inner hyphens, at most 63
 * characters), so it is safe as a directory name, a Kubernetes namespace or a label value.
 */
public record ProjectId(String value) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public ProjectId {
        if (value == null || !LABEL.matcher(value).matches()) {
            throw new InvalidInputException(ErrorCode.INVALID_PROJECT_ID,
                    "project id must be a DNS-1123 label: lower-case letters, digits and '-', "
                            + "1 to 63 characters, starting and ending with a letter or digit");
        }
    }

    public static ProjectId of(String value) {
        return new ProjectId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
