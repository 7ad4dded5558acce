package io.execstream.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.http.webhook.Trigger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The webhook flags: off by default, a secret required once on, every value checked before the server starts. */
class WebhookConfigTest {
    private static final String SECRET = "sixteen-bytes-or-more";

    private static WebhookConfig parse(String... args) {
        return ServerConfig.parse(List.of(args), Map.of()).webhooks();
    }

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(args)).getMessage();
    }

    @Test
    void areOffByDefaultAndOnWithAUrlOrAnAllowList() {
        assertFalse(parse().enabled());
        WebhookConfig on = parse("--webhook-url", "https://hooks.example.com/x?token=abc", "--webhook-secret", SECRET);
        assertTrue(on.enabled());
        assertEquals(5, on.retries());
        assertEquals(List.of(Trigger.PERMISSION, Trigger.IDLE, Trigger.DONE), on.events());
        assertTrue(ServerConfig.parse(List.of("--webhook-allow", "a.example.com, *.b.example.com"),
                Map.of("EXECSTREAM_WEBHOOK_SECRET", SECRET)).webhooks().enabled());
        String line = on.describe();
        assertTrue(line.contains("https://hooks.example.com"), line);
        assertFalse(line.contains("token=abc"), "a URL's path or query stays out of the log: " + line);
        assertFalse(on.toString().contains(SECRET), on.toString());
        assertFalse(line.contains(SECRET), line);
    }

    @Test
    void refuseToStartWithoutASecretOrWithABadValue() {
        assertTrue(refusal("--webhook-url", "https://hooks.example.com/x").contains("--webhook-secret"));
        assertTrue(refusal("--webhook-allow", "hooks.example.com").contains("--webhook-secret"));
        assertTrue(refusal("--webhook-url", "https://h.example.com/", "--webhook-secret", "short").contains("16 bytes"));
        assertTrue(refusal("--webhook-url", "ftp://h.example.com/", "--webhook-secret", SECRET).contains("--webhook-url"));
        assertTrue(refusal("--webhook-allow", "https://h.example.com", "--webhook-secret", SECRET).contains("not a host"));
        assertTrue(refusal("--webhook-events", "done,started").contains("--webhook-events"));
        assertTrue(refusal("--webhook-retries", "21").contains("--webhook-retries"));
        assertTrue(refusal("--public-url", "exec.example.com").contains("--public-url"));
    }
}
