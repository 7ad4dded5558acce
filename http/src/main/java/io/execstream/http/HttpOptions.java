package io.execstream.http;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The answer to {@code OPTIONS} on a route of the API, the same on every transport and without a
 * key: {@code 204} with {@code Allow}, the route's methods; and when it is a CORS preflight (it has
 * {@code Origin} and {@code Access-Control-Request-Method}), the {@link CorsPolicy}'s answer to it.
 */
public final class HttpOptions {
    /** The status of the answer: there is nothing to say beyond its headers. */
    public static final int STATUS = 204;

    /** The header by which a preflight names the method it asks for. */
    public static final String REQUEST_METHOD_HEADER = "Access-Control-Request-Method";

    /** The order methods are listed in; any other comes after these, by name. */
    private static final List<String> ORDER = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private HttpOptions() {
    }

    /**
     * An {@code Allow} value for {@code methods}, in one order on every transport, with
     * {@code HEAD} wherever {@code GET} is (HTTP answers it for every GET) and {@code OPTIONS}.
     */
    public static String allow(Collection<String> methods) {
        TreeSet<String> all = new TreeSet<>((a, b) -> {
            int ia = ORDER.indexOf(a);
            int ib = ORDER.indexOf(b);
            if (ia >= 0 || ib >= 0) {
                return ia < 0 ? 1 : ib < 0 ? -1 : Integer.compare(ia, ib);
            }
            return a.compareTo(b);
        });
        methods.forEach(method -> all.add(method.trim().toUpperCase(Locale.ROOT)));
        all.remove("");
        if (all.contains("GET")) {
            all.add("HEAD");
        }
        all.add("OPTIONS");
        return String.join(", ", all);
    }

    /**
     * The headers of the answer to {@code OPTIONS} on a route whose {@code Allow} is {@code allow},
     * for a request with {@code origin} and {@code requestedMethod} ({@value #REQUEST_METHOD_HEADER})
     * headers, each null when absent.
     */
    public static Map<String, String> headers(String allow, CorsPolicy cors, String origin, String requestedMethod) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Allow", allow);
        headers.putAll(origin != null && requestedMethod != null
                ? cors.preflightHeaders(origin, allow) : cors.answerHeaders(origin));
        return headers;
    }
}
