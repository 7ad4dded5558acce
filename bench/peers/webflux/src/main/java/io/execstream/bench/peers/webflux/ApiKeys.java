package io.execstream.bench.peers.webflux;

import io.execstream.bench.peers.shared.Requests;
import java.io.IOException;
import java.util.Set;
import org.springframework.stereotype.Component;

/** The API keys of {@code --peer.api-keys-file}: one a line, {@code #} starts a comment. */
@Component
class ApiKeys {

    private final Set<String> keys;

    ApiKeys(PeerProperties properties) throws IOException {
        keys = Requests.apiKeys(properties.apiKeysFile());
    }

    boolean contains(String key) {
        return key != null && keys.contains(key);
    }
}
