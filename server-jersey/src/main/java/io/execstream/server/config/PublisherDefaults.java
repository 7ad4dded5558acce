package io.execstream.server.config;

import java.time.Duration;
import java.util.function.Function;

/**
 * The defaults of the history flags ({@code --max-history}, {@code --history-budget},
 * {@code --retention}) for the publisher a server runs with. They are not the flags' own defaults
 * because what fits one publisher does not fit another: {@code disk} keeps its history in files,
 * where a whole ordinary run fits (1 GB a stream, 10 GB in all, a week), while {@code memory}
 * holds it on the heap (16 MB, 512 MB, an hour), and {@code redis} and plug-ins keep the limits
 * they always had. A flag or variable that is given always wins, so scripts that pass the flags
 * get what they asked for with any publisher. Read once, by {@link ServerConfig#parse}.
 *
 * @param maxHistory    bytes of history a stream keeps
 * @param historyBudget bytes of history all streams keep together
 * @param retention     how long a finished stream stays readable
 */
record PublisherDefaults(long maxHistory, long historyBudget, Duration retention) {
    /** The {@code disk} publisher's: history on disk, counted in bytes on disk. */
    static final PublisherDefaults DISK = new PublisherDefaults(1L << 30, 10L << 30, Duration.ofDays(7));
    /** Every other publisher's ({@code memory}, {@code redis}, plug-ins): history held in memory. */
    static final PublisherDefaults IN_MEMORY = new PublisherDefaults(16L << 20, 512L << 20, Duration.ofHours(1));

    /** The defaults for {@code --publisher name}. */
    static PublisherDefaults of(String publisher) {
        return publisher.equals("disk") ? DISK : IN_MEMORY;
    }

    /** {@code "1GB with the disk publisher, 16MB with the others"}: one setting's defaults, for {@code --help}. */
    static String describe(Function<PublisherDefaults, Object> setting) {
        return text(setting.apply(DISK)) + " with the disk publisher, " + text(setting.apply(IN_MEMORY)) + " with the others";
    }

    private static String text(Object value) {
        if (value instanceof Duration d) {
            return d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays())) ? d.toDays() + "d" : d.toHours() + "h";
        }
        long bytes = (Long) value;
        return bytes % (1L << 30) == 0 ? (bytes >> 30) + "GB" : HistoryFit.size(bytes);
    }
}
