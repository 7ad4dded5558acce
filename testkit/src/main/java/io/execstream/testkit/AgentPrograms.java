package io.execstream.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The real coding-agent programs the live-session tests drive: the Claude Code CLI ({@code claude})
 * and the OpenCode server ({@code opencode}), pinned in {@code testkit/agents/package.json} and
 * installed there with {@code npm ci}. Without them a test that needs one is skipped with a
 * message, unless {@code EXECSTREAM_REQUIRE_AGENTS=1} (CI sets it), which makes that a failure.
 */
public final class AgentPrograms {
    /** The Claude Code CLI. */
    public static final String CLAUDE = "claude";
    /** The OpenCode server and CLI. */
    public static final String OPENCODE = "opencode";

    private AgentPrograms() {
    }

    /**
     * The installed program {@code name}, or the test is skipped (failed under
     * {@code EXECSTREAM_REQUIRE_AGENTS=1}) with what to run to install it.
     */
    public static Path require(String name) {
        Optional<Path> found = find(name);
        if (found.isEmpty()) {
            String reason = name + " is not installed: run `npm ci` in testkit/agents";
            if ("1".equals(System.getenv("EXECSTREAM_REQUIRE_AGENTS"))) {
                fail(reason + " (EXECSTREAM_REQUIRE_AGENTS=1)");
            }
            Assumptions.abort(reason);
        }
        return found.get();
    }

    /** The installed program {@code name}, looked for from the working directory up to the reactor's root. */
    public static Optional<Path> find(String name) {
        // OpenCode is pinned as its platform's binary package, which declares no bin entry.
        String where = OPENCODE.equals(name) ? "opencode-linux-x64/bin/opencode" : ".bin/" + name;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path bin = dir.resolve("testkit/agents/node_modules").resolve(where);
            if (Files.isExecutable(bin)) {
                return Optional.of(bin);
            }
        }
        return Optional.empty();
    }
}
