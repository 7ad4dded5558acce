package io.execstream.ports;

import io.execstream.domain.StreamInfo;
import java.util.Objects;

/**
 * What a {@link ProjectFeed} carries: a stream as it stands after it started, its live session
 * changed, or it finished.
 *
 * @param stream the stream's metadata after the change
 * @param title  what names the run for a person: its command line, or an agent's first prompt,
 *               at most {@value #MAX_TITLE} characters; null when unknown
 */
public record StreamChange(StreamInfo stream, String title) {
    /** The longest title, in characters. */
    public static final int MAX_TITLE = 200;

    public StreamChange {
        Objects.requireNonNull(stream, "stream");
        title = title == null ? null : cut(title);
    }

    /** {@code text} cut to {@link #MAX_TITLE} characters, without splitting a surrogate pair. */
    public static String cut(String text) {
        if (text.length() <= MAX_TITLE) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_TITLE - 1)) ? MAX_TITLE - 1 : MAX_TITLE;
        return text.substring(0, end);
    }
}
