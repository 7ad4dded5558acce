package io.execstream.cli;

import io.execstream.domain.CommandSpec;
import io.execstream.ports.plugin.OptionSyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A subcommand's arguments: {@code --flag value} (or {@code --flag=value}) options, then
 * positional words; once the positional words a subcommand takes are in, the rest (after an
 * optional {@code --}) is taken as it is, so a command's own flags are never read as ours.
 *
 * @param flags      values by flag name, in the order given (a flag may repeat)
 * @param positional the positional words
 * @param rest       what followed them
 * @param help       whether {@code --help} or {@code -h} came before the positional words
 */
record CliArgs(Map<String, List<String>> flags, List<String> positional, List<String> rest, boolean help) {

    /** Thrown for a command line that cannot be read; its message is for the user. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Reads {@code args} of a subcommand that takes the flags {@code known} and
     * {@code positionalCount} positional words before its rest.
     *
     * @throws UsageException for an unknown flag or a flag without its value
     */
    static CliArgs parse(List<String> args, Set<String> known, int positionalCount) {
        return parse(args, known, Set.of(), positionalCount);
    }

    /**
     * The same, for a subcommand that also takes the flags {@code switches}, which take no value
     * ({@code --stdin}); see {@link #has}.
     *
     * @throws UsageException for an unknown flag, a flag without its value, or a switch given one
     */
    static CliArgs parse(List<String> args, Set<String> known, Set<String> switches, int positionalCount) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        boolean help = false;
        int i = 0;
        while (i < args.size() && positional.size() < positionalCount) {
            String arg = args.get(i++);
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
            } else if (arg.equals("--")) {
                // the positional words follow, even if they start with '-'
                while (i < args.size() && positional.size() < positionalCount) {
                    positional.add(args.get(i++));
                }
            } else if (arg.startsWith("--")) {
                String name = arg.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (switches.contains(name)) {
                    if (value != null) {
                        throw new UsageException("--" + name + " takes no value");
                    }
                    value = "true";
                } else if (!known.contains(name)) {
                    throw new UsageException("unknown flag --" + name);
                }
                if (value == null) {
                    if (i >= args.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args.get(i++);
                }
                flags.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else if (arg.startsWith("-") && arg.length() > 1) {
                throw new UsageException("unknown flag " + arg);
            } else {
                positional.add(arg);
            }
        }
        if (i < args.size() && args.get(i).equals("--")) {
            i++;
        }
        return new CliArgs(flags, List.copyOf(positional), List.copyOf(args.subList(i, args.size())), help);
    }

    /** The last value given for {@code flag}, else the environment variable {@code envName}, else null. */
    String value(String flag, Map<String, String> env, String envName) {
        List<String> values = flags.get(flag);
        if (values != null) {
            return values.get(values.size() - 1);
        }
        String fromEnv = envName == null ? null : env.get(envName);
        return fromEnv == null || fromEnv.isEmpty() ? null : fromEnv;
    }

    /**
     * The duration given for {@code flag} ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}: the
     * server's syntax), more than 0 and at most 24 h; null when not given.
     *
     * @throws UsageException for a value that is not such a duration
     */
    Duration duration(String flag) {
        String value = value(flag, Map.of(), null);
        if (value == null) {
            return null;
        }
        Duration d;
        try {
            d = OptionSyntax.duration("--" + flag, value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (d.isZero() || d.compareTo(CommandSpec.MAX_TIMEOUT) > 0) {
            throw new UsageException("--" + flag + " must be more than 0 and at most 24h, got '" + value + "'");
        }
        return d;
    }

    /** Whether the switch {@code name} was given. */
    boolean has(String name) {
        return flags.containsKey(name);
    }

    /** Every value given for {@code flag}. */
    List<String> values(String flag) {
        return flags.getOrDefault(flag, List.of());
    }
}
