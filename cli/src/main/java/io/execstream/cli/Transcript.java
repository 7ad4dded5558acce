package io.execstream.cli;

import io.execstream.client.AgentEvent;
import java.util.List;
import java.util.Map;

/**
 * How {@code execstream chat} shows what an agent says: its replies as plain text, and each tool
 * it uses as one short line. Each provider's stream says it its own way; see the implementations.
 * Called on the stream's reader thread only, one event at a time.
 */
sealed interface Transcript permits ClaudeTranscript, OpenCodeTranscript {
    /** The longest summary of a tool's input shown on its line. */
    int MAX_TOOL_SUMMARY = 100;

    /** The transcript for {@code provider}: OpenCode's for {@code opencode}, else Claude Code's stream-json. */
    static Transcript of(String provider) {
        return provider.equals("opencode") ? new OpenCodeTranscript() : new ClaudeTranscript();
    }

    /** Whether the stream's stdout output is the agent's text, to print as it is. */
    boolean printsStdout();

    /** What to print for {@code event}, ending with a line break; null for nothing. */
    String render(AgentEvent event);

    /** The tool line: {@code   [NAME] SUMMARY}, on one line. */
    static String toolLine(String name, String summary) {
        String line = summary == null ? "" : summary.strip().replaceAll("\\s+", " ");
        if (line.length() > MAX_TOOL_SUMMARY) {
            line = line.substring(0, MAX_TOOL_SUMMARY - 3) + "...";
        }
        return "  [" + (name == null ? "tool" : name) + "]" + (line.isEmpty() ? "" : " " + line) + "\n";
    }

    /** The telling part of a tool's input: its command, file, pattern or URL, else all of it. */
    static String summary(Object input) {
        if (!(input instanceof Map<?, ?> map)) {
            return input == null ? null : String.valueOf(input);
        }
        for (String key : List.of("command", "file_path", "filePath", "path", "pattern", "url", "description")) {
            if (map.get(key) instanceof String s && !s.isBlank()) {
                return s;
            }
        }
        return map.isEmpty() ? null : map.toString();
    }

    /** {@code m.get(key)} as a map, or an empty one. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object m, String key) {
        return m instanceof Map<?, ?> map && map.get(key) instanceof Map<?, ?> inner ? (Map<String, Object>) inner : Map.of();
    }
}
