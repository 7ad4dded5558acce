package io.execstream.adapters.local;

import java.util.HashMap;
import java.util.Map;

/** The environment a command starts with. */
final class ChildEnvironment {

    /** Server settings, API keys and token secrets live in these; a command must not read them. */
    static final String SERVER_PREFIX = "EXECSTREAM_";

    private ChildEnvironment() {
    }

    static Map<String, String> of(Map<String, String> server, Map<String, String> requested) {
        Map<String, String> environment = new HashMap<>();
        server.forEach((name, value) -> {
            if (!name.startsWith(SERVER_PREFIX)) {
                environment.put(name, value);
            }
        });
        // The caller's own values are not server secrets, so they may use any name.
        environment.putAll(requested);
        return environment;
    }
}
