package io.execstream.adapters.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;

/**
 * Cost and tokens summed over assistant messages. OpenCode reports them per assistant message (one
 * per step of a turn), never per run, so a run's, a turn's or a session's figures are sums.
 *
 * @param cost     the summed {@code cost} in US dollars, in decimal: a turn's share is a difference
 *                 of sums, which in binary floating point shows as 0.0012000000000000001
 * @param costSeen whether any message reported a cost
 */
record Totals(BigDecimal cost, boolean costSeen, long input, long output, long reasoning, long cacheRead,
              long cacheWrite) {
    static final Totals NONE = new Totals(BigDecimal.ZERO, false, 0, 0, 0, 0, 0);

    /** The totals of the assistant messages among {@code withParts}, {@code GET /session/:id/message}'s answer. */
    static Totals ofMessages(JsonNode withParts) {
        Totals sum = NONE;
        for (JsonNode entry : withParts) {
            JsonNode info = entry.path("info");
            if ("assistant".equals(OpenCodeJson.text(info, "role"))) {
                sum = sum.plus(info);
            }
        }
        return sum;
    }

    /** These totals with assistant message {@code info} added. */
    Totals plus(JsonNode info) {
        JsonNode c = info.get("cost");
        boolean hasCost = c != null && c.isNumber() && Double.isFinite(c.doubleValue());
        JsonNode tokens = info.path("tokens");
        return new Totals(hasCost ? cost.add(c.decimalValue()) : cost, costSeen || hasCost,
                input + tokens.path("input").asLong(), output + tokens.path("output").asLong(),
                reasoning + tokens.path("reasoning").asLong(), cacheRead + tokens.path("cache").path("read").asLong(),
                cacheWrite + tokens.path("cache").path("write").asLong());
    }

    /** What was added since {@code earlier}: a turn's share of the run. */
    Totals since(Totals earlier) {
        return new Totals(cost.subtract(earlier.cost), costSeen, input - earlier.input, output - earlier.output,
                reasoning - earlier.reasoning, cacheRead - earlier.cacheRead, cacheWrite - earlier.cacheWrite);
    }

    /** The cost, or null when no message reported one. */
    Double costOrNull() {
        return costSeen ? cost.doubleValue() : null;
    }

    /** The tokens as OpenCode names them: {@code {"input","output","reasoning","cache":{"read","write"}}}, compact. */
    String usageJson() {
        ObjectNode usage = OpenCodeJson.MAPPER.createObjectNode()
                .put("input", input).put("output", output).put("reasoning", reasoning);
        usage.putObject("cache").put("read", cacheRead).put("write", cacheWrite);
        return OpenCodeJson.compact(usage);
    }
}
