package io.execstream.bench.peers.webflux;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The peer's settings ({@code --peer.*}): those of the better-sse peer's flags of the same names.
 *
 * @param apiKeysFile   one key a line, {@code #} comments
 * @param workspaceRoot a directory per project, where commands run
 * @param keepalive     a comment on every open event stream this often
 * @param retention     how long a finished stream is kept
 * @param historyBudget finished streams are forgotten, oldest first, once the output kept in all passes this
 */
@ConfigurationProperties("peer")
public record PeerProperties(Path apiKeysFile, Path workspaceRoot, Duration keepalive, Duration retention, DataSize historyBudget) {
}
