package io.execstream.cli;

import io.execstream.client.AgentEvent;
import java.util.List;
import java.util.Map;

/**
 * Claude Code's replies, from its stream-json {@code agent} events: each {@code assistant}
 * message's text parts as they are, and each {@code tool_use} part as one line. The stream's
 * stdout is the same stream-json, so it is not printed.
 */
final class ClaudeTranscript implements Transcript {

    @Override
    public boolean printsStdout() {
        return false;
    }

    @Override
    public String render(AgentEvent event) {
        if (!"assistant".equals(event.type())
                || !(Transcript.object(event.fields(), "message").get("content") instanceof List<?> content)) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (Object part : content) {
            if (!(part instanceof Map<?, ?> p)) {
                continue;
            }
            if ("text".equals(p.get("type")) && p.get("text") instanceof String text && !text.isEmpty()) {
                out.append(text).append(text.endsWith("\n") ? "" : "\n");
            } else if ("tool_use".equals(p.get("type"))) {
                out.append(Transcript.toolLine(p.get("name") instanceof String n ? n : null, Transcript.summary(p.get("input"))));
            }
        }
        return out.isEmpty() ? null : out.toString();
    }
}
