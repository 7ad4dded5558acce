package io.execstream.adapters.claude;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Reads the lines of Claude Code's {@code --output-format stream-json}. */
final class StreamJson {

    /** What a line holds. */
    sealed interface Line {
    }

    /** Nothing but whitespace. */
    record Blank() implements Line {
    }

    /** A JSON object: {@code json} is its compact form. */
    record Event(String json, JsonNode tree) implements Line {
        boolean isResult() {
            JsonNode type = tree.get("type");
            return type != null && type.isTextual() && "result".equals(type.textValue());
        }

        /** The {@code session_id} the line carries (every line of the CLI's does), or null. */
        String sessionId() {
            JsonNode session = tree.get("session_id");
            return session != null && session.isTextual() && !session.textValue().isEmpty() ? session.textValue() : null;
        }
    }

    /** Not a JSON object. */
    record Unparsed(String reason) implements Line {
    }

    static final String INVALID_JSON = "invalid_json";
    static final String NOT_AN_OBJECT = "not_an_object";
    static final String TOO_LONG = "too_long";
    /** The subtype reported for a result line without one. */
    static final String UNKNOWN_SUBTYPE = "unknown";

    private static final Blank BLANK = new Blank();

    /**
     * Numbers are kept as written (no rounding through double, no stripped zeros), and a line must
     * hold exactly one value.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            // As JavaScript's JSON.stringify writes them: \u001b, not \u001B.
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .build();

    private StreamJson() {
    }

    static Line parse(byte[] buffer, int offset, int length) {
        if (isBlank(buffer, offset, length)) {
            return BLANK;
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(buffer, offset, length);
        } catch (IOException | RuntimeException e) {
            // JacksonException for malformed JSON, invalid UTF-8, or input past Jackson's limits.
            return new Unparsed(INVALID_JSON);
        }
        if (tree == null || !tree.isObject()) {
            return new Unparsed(NOT_AN_OBJECT);
        }
        // A compact line is kept as written, byte for byte (the CLI writes every line so); only a
        // line with whitespace between its tokens is re-written, which could change how a
        // number or an escape is spelled.
        String json = isCompact(buffer, offset, length) ? new String(buffer, offset, length, StandardCharsets.UTF_8)
                : compact(tree);
        return new Event(json, tree);
    }

    /**
     * {@code json}, one JSON object (such as a person's replacement for a tool's input), as a tree,
     * its numbers kept as written.
     *
     * @throws IllegalArgumentException when it is not one JSON object
     */
    static ObjectNode object(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (parse(bytes, 0, bytes.length) instanceof Event event && event.tree() instanceof ObjectNode object) {
            return object;
        }
        throw new IllegalArgumentException("a tool's input must be one JSON object");
    }

    /** Whether the line (valid JSON) has no whitespace outside its strings. */
    private static boolean isCompact(byte[] buffer, int offset, int length) {
        boolean inString = false;
        for (int i = offset; i < offset + length; i++) {
            byte b = buffer[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                return false;
            }
        }
        return true;
    }

    /**
     * What a {@code result} line reports; fields it lacks are null.
     *
     * @param totalCostUsd     {@code total_cost_usd}: cumulative, see {@link RunCosts}
     * @param sinceLastCostUsd the sum of {@code model_usage_since_last_result.*.costUSD}: this
     *                         result's own share
     * @param usage            {@code usage}, this turn's tokens
     */
    record Result(String sessionId, boolean isError, String subtype, Integer numTurns, BigDecimal totalCostUsd,
                  BigDecimal sinceLastCostUsd, JsonNode usage, Long durationMs) {
        String usageJson() {
            return usage == null ? null : compact(usage);
        }
    }

    static Result result(JsonNode line) {
        JsonNode subtypeNode = line.get("subtype");
        String subtype = subtypeNode != null && subtypeNode.isTextual() ? subtypeNode.textValue() : UNKNOWN_SUBTYPE;
        JsonNode isErrorNode = line.get("is_error");
        boolean isError = isErrorNode != null && isErrorNode.isBoolean()
                ? isErrorNode.booleanValue()
                : !"success".equals(subtype);
        JsonNode session = line.get("session_id");
        JsonNode turns = line.get("num_turns");
        JsonNode usage = line.get("usage");
        JsonNode duration = line.get("duration_ms");
        return new Result(
                session != null && session.isTextual() ? session.textValue() : null,
                isError,
                subtype,
                turns != null && turns.isIntegralNumber() && turns.canConvertToInt() ? turns.intValue() : null,
                cost(line.get("total_cost_usd")),
                sinceLastCost(line.get("model_usage_since_last_result")),
                usage != null && usage.isObject() ? usage : null,
                duration != null && duration.isIntegralNumber() && duration.canConvertToLong() ? duration.longValue() : null);
    }

    /** The sum of the models' {@code costUSD}; null when there is none to add. */
    private static BigDecimal sinceLastCost(JsonNode byModel) {
        if (byModel == null || !byModel.isObject()) {
            return null;
        }
        BigDecimal sum = null;
        for (JsonNode model : byModel) {
            BigDecimal cost = cost(model.get("costUSD"));
            if (cost != null) {
                sum = sum == null ? cost : sum.add(cost);
            }
        }
        return sum;
    }

    private static BigDecimal cost(JsonNode node) {
        return node != null && node.isNumber() ? node.decimalValue() : null;
    }

    /** {@code total} plus the whole-number fields of {@code usage}, as the sum of several turns' usage. */
    static ObjectNode addUsage(ObjectNode total, JsonNode usage) {
        if (usage == null) {
            return total;
        }
        ObjectNode sum = total == null ? MAPPER.createObjectNode() : total;
        usage.fields().forEachRemaining(field -> {
            if (field.getValue().isIntegralNumber()) {
                JsonNode before = sum.get(field.getKey());
                sum.put(field.getKey(), (before == null ? BigInteger.ZERO : before.bigIntegerValue())
                        .add(field.getValue().bigIntegerValue()));
            }
        });
        return sum;
    }

    /** The event that stands for a line that could not be parsed. */
    static String unparsedEvent(long bytes, String reason) {
        return "{\"type\":\"execstream\",\"subtype\":\"unparsed_line\",\"bytes\":" + bytes
                + ",\"reason\":\"" + reason + "\"}";
    }

    static String compact(JsonNode tree) {
        try {
            // Control characters in strings are escaped, so the result is always one line.
            return MAPPER.writeValueAsString(tree);
        } catch (JacksonException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isBlank(byte[] buffer, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = buffer[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
