package io.execstream.http;

import io.execstream.domain.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The syntax of a webhook URL, a run's own ({@code "webhook_url"}) or the server's: an absolute
 * {@code http} or {@code https} URL with a host, and no user info (credentials) or fragment, of
 * at most {@value #MAX_LENGTH} characters. Whether the host may be sent to is the notifier's to
 * say; this only makes sure the value is a URL and nothing else.
 */
public final class WebhookUrl {
    /** The longest URL taken, in characters. */
    public static final int MAX_LENGTH = 2048;

    private WebhookUrl() {
    }

    /**
     * {@code value} as a URI, once it is checked.
     *
     * @param what names the value in the message, e.g. {@code webhook_url}
     * @throws InvalidInputException ({@code invalid_request}) saying what is wrong
     */
    public static URI parse(String what, String value) {
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw bad(what, "must be an http or https URL of 1 to " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw bad(what, "is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw bad(what, "must be an http or https URL, such as https://hooks.example.com/execstream");
        }
        if (uri.getRawUserInfo() != null) {
            throw bad(what, "must not carry a user name or password (user@host); the body is signed instead");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw bad(what, "must name a host (letters, digits, '-' and '.', or an IP address)");
        }
        if (uri.getRawFragment() != null) {
            throw bad(what, "must not have a fragment (#...)");
        }
        if (uri.getPort() == 0) {
            throw bad(what, "must not name port 0");
        }
        return uri;
    }

    private static InvalidInputException bad(String what, String why) {
        return InvalidInputException.invalidRequest(what + " " + why);
    }
}
