package io.execstream.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads the JSON bodies of the start endpoints into domain values. Types are checked strictly (a
 * timeout given as a string is an error, not a guess), and unknown fields are refused so that a
 * misspelt option does not pass silently.
 */
public final class RequestBodies {
    private static final Set<String> COMMAND_FIELDS = Set.of("command", "timeout_ms", "env");
    private static final Set<String> AGENT_FIELDS = Set.of("prompt", "session_id", "timeout_ms", "model");
    /** {@code /claude} also takes the options of the Claude Code CLI. */
    private static final Set<String> CLAUDE_FIELDS = Set.of("prompt", "session_id", "timeout_ms", "model", "max_turns",
            "allowed_tools", "permission_mode");

    private RequestBodies() {
    }

    /** The body as a JSON object, reading at most {@code maxBytes}. */
    public static JsonNode readObject(InputStream in, long maxBytes) {
        byte[] bytes = readLimited(in, maxBytes);
        JsonNode node;
        try {
            node = ApiJson.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.invalidRequest("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalidRequest("request body could not be read");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.invalidRequest("request body must be a JSON object");
        }
        return node;
    }

    public static CommandSpec commandSpec(JsonNode body) {
        rejectUnknown(body, COMMAND_FIELDS);
        JsonNode command = body.get("command");
        CommandLine line;
        if (command == null || command.isNull()) {
            throw new InvalidInputException(ErrorCode.INVALID_COMMAND, "command is required: a string for sh -c, or an array of strings");
        } else if (command.isTextual()) {
            line = new CommandLine.Shell(command.textValue());
        } else if (command.isArray()) {
            List<String> argv = new ArrayList<>();
            for (JsonNode arg : command) {
                if (!arg.isTextual()) {
                    throw new InvalidInputException(ErrorCode.INVALID_COMMAND, "every element of the command array must be a string");
                }
                argv.add(arg.textValue());
            }
            line = new CommandLine.Argv(argv);
        } else {
            throw new InvalidInputException(ErrorCode.INVALID_COMMAND, "command must be a string for sh -c, or an array of strings");
        }
        return new CommandSpec(line, env(body.get("env")), timeout(body.get("timeout_ms")));
    }

    /** The body of {@code POST /projects/{project}/claude}: a prompt with the Claude Code CLI's options. */
    public static AgentPrompt claudePrompt(JsonNode body) {
        return agentPrompt(body, CLAUDE_FIELDS);
    }

    /** The body of {@code POST /projects/{project}/agents/{provider}}: what every provider takes. */
    public static AgentPrompt agentPrompt(JsonNode body) {
        return agentPrompt(body, AGENT_FIELDS);
    }

    private static AgentPrompt agentPrompt(JsonNode body, Set<String> fields) {
        rejectUnknown(body, fields);
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw new InvalidInputException(ErrorCode.PROMPT_REQUIRED, "prompt is required");
        }
        if (!prompt.isTextual()) {
            throw new InvalidInputException(ErrorCode.PROMPT_REQUIRED, "prompt must be a string");
        }
        JsonNode maxTurns = body.get("max_turns");
        OptionalInt turns = OptionalInt.empty();
        if (maxTurns != null && !maxTurns.isNull()) {
            if (!maxTurns.isIntegralNumber() || !maxTurns.canConvertToInt()) {
                throw ApiException.invalidRequest("max_turns must be a whole number");
            }
            turns = OptionalInt.of(maxTurns.intValue());
        }
        return new AgentPrompt(prompt.textValue(), text(body, "session_id"), text(body, "model"), turns,
                strings(body, "allowed_tools"), text(body, "permission_mode"), timeout(body.get("timeout_ms")));
    }

    private static Optional<Duration> timeout(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new InvalidInputException(ErrorCode.INVALID_TIMEOUT,
                    "timeout_ms must be a whole number of milliseconds from 1 to " + CommandSpec.MAX_TIMEOUT.toMillis());
        }
        return Optional.of(CommandSpec.timeoutOfMillis(node.longValue()));
    }

    private static Map<String, String> env(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.invalidRequest("env must be an object of string values");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw ApiException.invalidRequest("env values must be strings");
            }
            env.put(e.getKey(), e.getValue().textValue());
        }
        return env;
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiException.invalidRequest(field + " must be an array of strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw ApiException.invalidRequest(field + " must be an array of strings");
            }
            values.add(element.textValue());
        }
        return values;
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw ApiException.invalidRequest(field + " must be a string");
        }
        return Optional.of(node.textValue());
    }

    private static void rejectUnknown(JsonNode body, Set<String> known) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw ApiException.invalidRequest("unknown field '" + shorten(name) + "'; expected " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static String shorten(String s) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private static byte[] readLimited(InputStream in, long maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw ApiException.payloadTooLarge(maxBytes);
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw ApiException.invalidRequest("request body could not be read: " + e.getMessage());
        }
        return out.toByteArray();
    }
}
