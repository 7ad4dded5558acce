package io.execstream.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which other origins' pages may read the API's answers (CORS), and the headers that tell a
 * browser so. None by default: a page can then read only answers of its own origin.
 *
 * <p>Allowing an origin grants no access: every request still needs its key or its stream token,
 * and neither is ambient (a key travels only in the {@value Access#API_KEY_HEADER} header, a token
 * only in the URL), so no answer ever says {@code Access-Control-Allow-Credentials}. What an origin
 * gains is that its scripts may read the answers they are entitled to: an {@code EventSource} on a
 * {@code stream_url}, a {@code fetch} with a key.
 *
 * <p>An origin is {@code scheme://host[:port]}, as a browser sends it in {@code Origin}: no path, no
 * trailing slash; scheme and host are compared in lower case, and the scheme's default port
 * (http 80, https 443) is dropped, as browsers drop it. {@value #ANY} allows every origin (but
 * {@code null}, the origin of sandboxed frames and files).
 */
public final class CorsPolicy {
    /** No other origin: the default. */
    public static final CorsPolicy NONE = new CorsPolicy(List.of());

    /** Allows every origin. */
    public static final String ANY = "*";

    /** The request headers a page may send: a JSON body, a resume point, a key. */
    public static final String ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID, " + Access.API_KEY_HEADER;

    /** The answer headers a page may read beyond the safelisted ones. */
    public static final String EXPOSED_HEADERS = "Location, Retry-After";

    /**
     * How long a browser may reuse a preflight's answer, in seconds: long enough to spare a
     * preflight per request, short enough that a changed list of origins soon holds.
     */
    public static final int MAX_AGE_SECONDS = 600;

    private static final Pattern ORIGIN = Pattern.compile(
            "([a-z][a-z0-9+.-]*)://(\\[[0-9a-f:.]+]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)"
                    + "(?::([0-9]{1,5}))?");

    private final Set<String> origins;
    private final boolean any;

    private CorsPolicy(Collection<String> origins) {
        Set<String> normalized = new LinkedHashSet<>();
        boolean anyOrigin = false;
        for (String origin : origins) {
            if (origin == null) {
                throw new IllegalArgumentException("an origin must not be null");
            }
            if (origin.strip().equals(ANY)) {
                anyOrigin = true;
            } else {
                normalized.add(normalize(origin.strip()));
            }
        }
        this.origins = Set.copyOf(normalized);
        this.any = anyOrigin;
    }

    /**
     * The policy that allows {@code origins}, each {@code scheme://host[:port]} or {@value #ANY}.
     *
     * @throws IllegalArgumentException naming the first value that is not an origin
     */
    public static CorsPolicy of(Collection<String> origins) {
        return origins.isEmpty() ? NONE : new CorsPolicy(origins);
    }

    /** Whether any origin is allowed at all; without one, answers carry no CORS header, not even {@code Vary}. */
    public boolean isEnabled() {
        return any || !origins.isEmpty();
    }

    /** The allowed origins as compared ({@value #ANY} for every origin), sorted. */
    public List<String> origins() {
        List<String> all = new ArrayList<>(origins);
        if (any) {
            all.add(ANY);
        }
        all.sort(null);
        return List.copyOf(all);
    }

    /** Whether a page of {@code origin} (the {@code Origin} header, or null) may read the answers. */
    public boolean allows(String origin) {
        if (origin == null || !isEnabled()) {
            return false;
        }
        return origins.contains(origin) || any && ORIGIN.matcher(origin).matches();
    }

    /**
     * The headers of an answer to a request from {@code origin}: when the policy is on,
     * {@code Vary: Origin} (the answer depends on it, for any cache between), and for an allowed
     * origin its echo in {@code Access-Control-Allow-Origin} and the headers it may read.
     */
    public Map<String, String> answerHeaders(String origin) {
        if (!isEnabled()) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Vary", "Origin");
        if (allows(origin)) {
            headers.put("Access-Control-Allow-Origin", origin);
            headers.put("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        }
        return headers;
    }

    /**
     * The headers of the answer to a preflight from {@code origin} on a route that answers
     * {@code methods} (an {@code Allow} value): for an allowed origin, what it may send and for how
     * long; for any other, only {@code Vary}, and the browser then refuses the request itself.
     */
    public Map<String, String> preflightHeaders(String origin, String methods) {
        Map<String, String> headers = new LinkedHashMap<>();
        answerHeaders(origin).forEach((name, value) -> {
            if (!name.equals("Access-Control-Expose-Headers")) {
                headers.put(name, value);
            }
        });
        if (allows(origin)) {
            headers.put("Access-Control-Allow-Methods", methods);
            headers.put("Access-Control-Allow-Headers", ALLOWED_HEADERS);
            headers.put("Access-Control-Max-Age", Integer.toString(MAX_AGE_SECONDS));
        }
        return headers;
    }

    /**
     * An origin as a browser sends it: lower case, without its scheme's default port.
     *
     * @throws IllegalArgumentException when {@code origin} is not {@code scheme://host[:port]}
     */
    static String normalize(String origin) {
        Matcher m = ORIGIN.matcher(origin.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not an origin: '" + origin + "' (expected scheme://host[:port], "
                    + "such as https://app.example.com, with no path and no trailing slash; or " + ANY + ")");
        }
        String scheme = m.group(1);
        String port = m.group(6);
        if (port != null) {
            int number = Integer.parseInt(port);
            if (number < 1 || number > 65535) {
                throw new IllegalArgumentException("not an origin: '" + origin + "' (the port must be from 1 to 65535)");
            }
            boolean defaultPort = scheme.equals("http") && number == 80 || scheme.equals("https") && number == 443;
            port = defaultPort ? null : Integer.toString(number);
        }
        return scheme + "://" + m.group(2) + (port == null ? "" : ":" + port);
    }

    @Override
    public String toString() {
        return "CorsPolicy" + origins();
    }
}
