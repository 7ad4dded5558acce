package io.execstream.adapters.claude;

import java.math.BigDecimal;

/**
 * What a run of the CLI cost, from its {@code result} lines. The CLI's {@code total_cost_usd} is
 * cumulative: for the process (each result of a live session counts every turn before it), and
 * for the session (a {@code --resume} run starts from what the earlier runs cost). A result's
 * {@code model_usage_since_last_result} gives that turn's own share. So a turn costs its share
 * (or, from a CLI without that field, the growth of {@code total_cost_usd} since the last result,
 * which is the whole figure for the first result of a new session); the run costs the sum of its
 * turns; the session costs the last {@code total_cost_usd}. Sums are exact decimals, as written.
 * Not thread-safe.
 */
final class RunCosts {

    private final boolean resumed;
    private BigDecimal lastTotal;
    private BigDecimal run = BigDecimal.ZERO;

    /** @param resumed whether the run continues an earlier session ({@code --resume}) */
    RunCosts(boolean resumed) {
        this.resumed = resumed;
    }

    /**
     * Takes a result line's figures (null when it lacks one) and returns the cost of its turn,
     * or null when it cannot be told.
     */
    BigDecimal turn(BigDecimal totalCost, BigDecimal sinceLastResult) {
        BigDecimal before = lastTotal != null ? lastTotal : resumed ? null : BigDecimal.ZERO;
        BigDecimal turn = sinceLastResult != null ? sinceLastResult
                : totalCost != null && before != null ? totalCost.subtract(before) : null;
        if (totalCost != null) {
            lastTotal = totalCost;
        }
        run = turn == null || run == null ? null : run.add(turn);
        return turn;
    }

    /** What the run has cost so far; null once a turn's cost could not be told. */
    BigDecimal run() {
        return run;
    }

    /** What the session has cost so far, by the CLI's last cumulative figure; null before any. */
    BigDecimal session() {
        return lastTotal;
    }

    static Double dollars(BigDecimal cost) {
        if (cost == null) {
            return null;
        }
        double value = cost.doubleValue();
        return Double.isFinite(value) ? value : null;
    }
}
