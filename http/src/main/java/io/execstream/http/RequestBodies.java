package io.execstream.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.core.AnswerPermission;
import io.execstream.core.SendInput;
import io.execstream.core.SendMessage;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the JSON bodies of the start endpoints, and of the requests to running streams, into
 * domain values. Types are checked strictly (a
 * timeout given as a string is an error, not a guess), and unknown fields are refused so that a
 * misspelt option does not pass silently.
 */
public final class RequestBodies {
    private static final Set<String> COMMAND_FIELDS = Set.of("command", "timeout_ms", "env", "stdin", "webhook_url");
    private static final Set<String> INPUT_FIELDS = Set.of("data", "eof", "echo");
    private static final Set<String> MESSAGE_FIELDS = Set.of("prompt");
    private static final Set<String> ANSWER_FIELDS = Set.of("decision", "updated_input", "message");
    /** The field of every start body that names where the run's own webhooks go. */
    private static final String WEBHOOK_URL = "webhook_url";
    /** What every provider takes, on {@code POST /projects/{project}/agents/{provider}}. */
    private static final Set<String> AGENT_FIELDS = AgentPrompt.FIELDS;
    /**
     * The longest prompt the API takes, for every provider, in bytes of UTF-8 and without NUL: a
     * prompt the API accepts is one any built-in provider can be handed (a command-line argument
     * included). A provider may hold it to a limit of its own as well.
     */
    public static final int MAX_PROMPT_BYTES = 120_000;

    private RequestBodies() {
    }

    /** The body as a JSON object, reading at most {@code maxBytes}. */
    public static JsonNode readObject(InputStream in, long maxBytes) {
        return parseObject(readLimited(in, maxBytes));
    }

    private static JsonNode parseObject(byte[] bytes) {
        JsonNode node;
        try {
            node = ApiJson.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw InvalidInputException.invalidRequest("request body is not valid JSON" + JsonErrors.describe(e));
        } catch (IOException e) {
            throw InvalidInputException.invalidRequest("request body could not be read");
        }
        if (node == null || !node.isObject()) {
            throw InvalidInputException.invalidRequest("request body must be a JSON object ({...}), not " + kind(node));
        }
        return node;
    }

    /** What a body that is not an object holds, for a person. */
    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "an empty body";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> node.booleanValue() ? "true" : "false";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
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
        return new CommandSpec(line, env(body.get("env")), timeout(body.get("timeout_ms")), bool(body, "stdin", false));
    }

    /**
     * The {@code "webhook_url"} of a start body, where the run's own webhooks go: empty when
     * absent or null; its syntax checked ({@link WebhookUrl}), its host left for the service to
     * allow or refuse.
     */
    public static Optional<URI> webhookUrl(JsonNode body) {
        return text(body, WEBHOOK_URL).map(url -> WebhookUrl.parse(WEBHOOK_URL, url));
    }

    /**
     * The body of {@code POST /projects/{project}/streams/{stream}/input}: {@code data} (a
     * string) and/or {@code "eof": true}, and {@code echo} (default true).
     */
    public static SendInput input(ProjectId project, StreamId stream, JsonNode body) {
        rejectUnknown(body, INPUT_FIELDS);
        String data = text(body, "data").orElse("");
        return new SendInput(project, stream, data, bool(body, "eof", false), bool(body, "echo", true));
    }

    /** The body of {@code POST /projects/{project}/streams/{stream}/messages}: {@code {"prompt": "..."}}. */
    public static SendMessage message(ProjectId project, StreamId stream, JsonNode body) {
        rejectUnknown(body, MESSAGE_FIELDS);
        JsonNode prompt = body.get("prompt");
        if (prompt != null && !prompt.isNull() && !prompt.isTextual()) {
            throw new InvalidInputException(ErrorCode.PROMPT_REQUIRED, "prompt must be a string");
        }
        return new SendMessage(project, stream, prompt == null || prompt.isNull() ? null : prompt.textValue());
    }

    /**
     * The body of {@code POST /projects/{project}/streams/{stream}/permissions/{requestId}}:
     * {@code "decision"} ({@code "allow"} or {@code "deny"}, required), {@code "updated_input"}
     * (an object, with allow only) and {@code "message"} (a string, with deny only), answered for
     * the key named {@code decidedBy}.
     */
    public static AnswerPermission answer(ProjectId project, StreamId stream, String requestId, JsonNode body,
                                          String decidedBy) {
        rejectUnknown(body, ANSWER_FIELDS);
        String decision = text(body, "decision").orElseThrow(() ->
                InvalidInputException.invalidRequest("decision is required: \"allow\" or \"deny\""));
        PermissionDecision.Verdict verdict = switch (decision) {
            case "allow" -> PermissionDecision.Verdict.ALLOW;
            case "deny" -> PermissionDecision.Verdict.DENY;
            default -> throw InvalidInputException.invalidRequest("decision must be \"allow\" or \"deny\"");
        };
        JsonNode updated = body.get("updated_input");
        String updatedJson = null;
        if (updated != null && !updated.isNull()) {
            if (!updated.isObject()) {
                throw InvalidInputException.invalidRequest("updated_input must be an object: the tool's whole input as it should run");
            }
            try {
                // Compact, and on one line: Jackson escapes a line break inside a string.
                updatedJson = ApiJson.MAPPER.writeValueAsString(updated);
            } catch (JacksonException e) {
                throw InvalidInputException.invalidRequest("updated_input could not be read");
            }
        }
        Optional<String> message = text(body, "message");
        if (message.isPresent() && verdict == PermissionDecision.Verdict.ALLOW) {
            throw InvalidInputException.invalidRequest("message is only for \"decision\": \"deny\" (what the agent is told)");
        }
        return new AnswerPermission(project, stream, requestId,
                new PermissionDecision(verdict, updatedJson, message.orElse(null)), decidedBy);
    }

    /**
     * The body of a request that takes no fields ({@code interrupt}, {@code close}): empty, or
     * {@code {}}. Anything else is refused, so that a field meant for another route does not
     * pass silently.
     */
    public static void noFields(InputStream in, long maxBytes) {
        byte[] bytes = readLimited(in, maxBytes);
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return;
        }
        rejectUnknown(parseObject(bytes), Set.of());
    }

    /** The body of {@code POST /projects/{project}/agents/{provider}}: what every provider takes. */
    public static AgentPrompt agentPrompt(JsonNode body) {
        return agentPrompt(body, Set.of());
    }

    /**
     * The body of an agent's alias route (e.g. {@code POST /projects/{project}/claude}): what
     * every provider takes, and the fields named in {@code options}, which become the prompt's
     * {@linkplain AgentPrompt#options() options} as they are (a JSON {@code null} is absent). The
     * agent declares their names ({@code AgentCapabilities.options}) and checks their values
     * ({@code CodeAgent.validate}), so this layer knows none of them.
     */
    public static AgentPrompt agentPrompt(JsonNode body, Set<String> options) {
        Set<String> fields = new HashSet<>(AGENT_FIELDS);
        fields.add(WEBHOOK_URL);
        fields.addAll(options);
        rejectUnknown(body, fields);
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw new InvalidInputException(ErrorCode.PROMPT_REQUIRED, "prompt is required");
        }
        if (!prompt.isTextual()) {
            throw new InvalidInputException(ErrorCode.PROMPT_REQUIRED, "prompt must be a string");
        }
        Optional<String> session = text(body, "session_id");
        Optional<String> model = text(body, "model");
        Optional<Duration> timeout = timeout(body.get("timeout_ms"));
        String text = prompt.textValue();
        if (!text.isBlank() && (text.length() > MAX_PROMPT_BYTES || text.indexOf('\0') >= 0
                || text.getBytes(StandardCharsets.UTF_8).length > MAX_PROMPT_BYTES)) {
            throw InvalidInputException.invalidRequest("prompt must be at most " + MAX_PROMPT_BYTES + " bytes of UTF-8, without NUL");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (String name : options) {
            JsonNode value = body.get(name);
            if (value != null && !value.isNull()) {
                values.put(name, json(name, value));
            }
        }
        boolean interactive = bool(body, "interactive", false);
        Optional<Duration> idleTimeout = idleTimeout(body.get("idle_timeout_ms"));
        boolean approvals = bool(body, "approvals", false);
        Optional<Duration> approvalTimeout = millis(body.get("approval_timeout_ms"), "approval_timeout_ms").map(Duration::ofMillis);
        return new AgentPrompt(text, session, model, timeout, values, interactive, idleTimeout, approvals, approvalTimeout);
    }

    /** {@code node} as the plain Java value {@link AgentPrompt#options()} holds. */
    private static Object json(String field, JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            // Integer, Long or BigInteger for whole numbers, as Jackson read them; Double or BigDecimal otherwise.
            return node.numberValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(json(field, element));
            }
            return list;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                map.put(e.getKey(), json(field, e.getValue()));
            }
            return map;
        }
        throw InvalidInputException.invalidRequest(field + " must not hold null");
    }

    private static Optional<Duration> timeout(JsonNode node) {
        return millis(node, "timeout_ms").map(CommandSpec::timeoutOfMillis);
    }

    /** The range is AgentPrompt's to check, with the rule that only a live session takes it. */
    private static Optional<Duration> idleTimeout(JsonNode node) {
        return millis(node, "idle_timeout_ms").map(Duration::ofMillis);
    }

    /** A field of whole milliseconds: absent or null is empty; anything but a whole number is refused. */
    private static Optional<Long> millis(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new InvalidInputException(ErrorCode.INVALID_TIMEOUT,
                    field + " must be a whole number of milliseconds from 1 to " + CommandSpec.MAX_TIMEOUT.toMillis());
        }
        return Optional.of(node.longValue());
    }

    /** A boolean field: absent or null is {@code absent}; anything but true or false is refused. */
    private static boolean bool(JsonNode body, String field, boolean absent) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return absent;
        }
        if (!node.isBoolean()) {
            throw InvalidInputException.invalidRequest(field + " must be true or false");
        }
        return node.booleanValue();
    }

    private static Map<String, String> env(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw InvalidInputException.invalidRequest("env must be an object of string values");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw InvalidInputException.invalidRequest("env values must be strings");
            }
            env.put(e.getKey(), e.getValue().textValue());
        }
        return env;
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw InvalidInputException.invalidRequest(field + " must be a string");
        }
        return Optional.of(node.textValue());
    }

    private static void rejectUnknown(JsonNode body, Set<String> known) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw InvalidInputException.invalidRequest("unknown field '" + shorten(name) + "'; "
                        + (known.isEmpty() ? "this request takes no fields: send an empty body or {}"
                        : "expected " + String.join(", ", known.stream().sorted().toList())));
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
                    throw RequestRefusedException.payloadTooLarge(maxBytes);
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw InvalidInputException.invalidRequest("request body could not be read: " + e.getMessage());
        }
        return out.toByteArray();
    }
}
