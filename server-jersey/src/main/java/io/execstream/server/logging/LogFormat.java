package io.execstream.server.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log record, for the server's own lines and those of Jersey and Grizzly alike
 * (they all log through java.util.logging): {@code time LEVEL logger message}.
 */
public final class LogFormat extends Formatter {
    // java.util.logging holds loggers weakly: keep the configured ones, or their levels are lost.
    private static final Logger OURS = Logger.getLogger("io.execstream");
    private static final Logger JERSEY_PROVIDERS = Logger.getLogger("org.glassfish.jersey.internal.inject.Providers");

    private LogFormat() {
    }

    /**
     * Routes all logging to stderr in this format; Jersey and Grizzly at WARNING and above. Under
     * {@link ServerLogManager} the reset this takes is the only one until the JVM exits.
     */
    public static void install() {
        LogManager manager = LogManager.getLogManager();
        if (manager instanceof ServerLogManager ours) {
            ours.resetForInstall();
        } else {
            manager.reset();
        }
        Handler handler = new ConsoleHandler();
        handler.setFormatter(new LogFormat());
        handler.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        root.setLevel(Level.WARNING);
        OURS.setLevel(Level.INFO);
        // Jersey warns about every resource registered as an instance, wrongly (its issue #3700).
        JERSEY_PROVIDERS.setLevel(Level.SEVERE);
    }

    @Override
    public String format(LogRecord record) {
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        StringBuilder line = new StringBuilder()
                .append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                .append(String.format("%-7s", record.getLevel().getName())).append(' ')
                .append(logger.substring(logger.lastIndexOf('.') + 1)).append(' ')
                .append(formatMessage(record).replace('\n', ' ')).append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }
}
