package io.execstream.server.config;

import io.execstream.domain.InvalidInputException;
import io.execstream.http.WebhookUrl;
import io.execstream.http.webhook.Trigger;
import io.execstream.http.webhook.WebhookNotifier;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The webhook flags: {@code --webhook-url}, {@code --webhook-allow}, {@code --webhook-secret},
 * {@code --webhook-retries}, {@code --webhook-backoff}, {@code --webhook-timeout},
 * {@code --webhook-events} and {@code --public-url}. Webhooks are on when a URL or an allow list
 * is given, and then need a secret.
 *
 * @param secret never printed: {@link #toString()} hides it
 */
public record WebhookConfig(Optional<URI> url, List<String> allow, Optional<String> secret, int retries,
                            Duration backoff, Duration timeout, List<Trigger> events, Optional<URI> publicUrl) {

    static WebhookConfig from(FlagValues v) {
        Optional<URI> url = v.optional("webhook-url").map(u -> url("--webhook-url", u));
        List<String> allow = v.list("webhook-allow");
        Optional<String> secret = v.optional("webhook-secret");
        List<Trigger> events = v.list("webhook-events").stream().map(name -> {
            try {
                return Trigger.of(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--webhook-events: " + e.getMessage(), e);
            }
        }).toList();
        WebhookConfig config = new WebhookConfig(url, allow, secret, v.intIn("webhook-retries", 0, WebhookNotifier.MAX_RETRIES),
                v.positive("webhook-backoff"), v.positive("webhook-timeout"), events,
                v.optional("public-url").map(u -> url("--public-url", u)));
        if (config.enabled()) {
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("--webhook-url and --webhook-allow need --webhook-secret (at least 16 "
                        + "bytes; EXECSTREAM_WEBHOOK_SECRET), the key webhooks are signed with");
            }
            try {
                config.notifier().close();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("webhooks: " + e.getMessage(), e);
            }
        }
        return config;
    }

    private static URI url(String flag, String value) {
        try {
            return WebhookUrl.parse(flag, value);
        } catch (InvalidInputException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Whether webhooks are on: a URL for every run, or hosts a run's own URL may name. */
    public boolean enabled() {
        return url.isPresent() || !allow.isEmpty();
    }

    /** The settings as a notifier's builder, before its listener; only when {@link #enabled()}. */
    public WebhookNotifier.Builder builder() {
        WebhookNotifier.Builder b = WebhookNotifier.builder(secret.orElseThrow())
                .allow(allow).retries(retries).backoff(backoff).timeout(timeout);
        if (!events.isEmpty()) {
            b.triggers(events);
        }
        url.ifPresent(b::url);
        publicUrl.ifPresent(b::publicUrl);
        return b;
    }

    private WebhookNotifier notifier() {
        return builder().build();
    }

    /**
     * One line for the start-up log: where webhooks go (a URL's scheme, host and port only: its
     * path may hold the receiver's token) and which moments send them; never the secret.
     */
    public String describe() {
        return "webhooks on: " + url.map(u -> "every run's to " + origin(u)).orElse("no URL for every run")
                + ", a run's own to " + (allow.isEmpty() ? "no host" : "hosts " + String.join(", ", allow))
                + "; events " + (events.isEmpty() ? "permission, idle, done"
                : String.join(", ", events.stream().map(Trigger::wireName).toList()))
                + "; " + retries + " retries from " + backoff.toMillis() + " ms";
    }

    private static String origin(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    }

    @Override
    public String toString() {
        return "WebhookConfig[url=" + url.map(WebhookConfig::origin).orElse("none") + ", allow=" + allow
                + ", secret=" + (secret.isPresent() ? "(set)" : "none") + ", retries=" + retries + ", backoff=" + backoff
                + ", timeout=" + timeout + ", events=" + events + ", publicUrl=" + publicUrl.orElse(null) + "]";
    }
}
