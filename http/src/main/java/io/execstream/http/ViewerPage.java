package io.execstream.http;

import io.execstream.domain.Interaction;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The live viewer page ({@code GET /projects/{project}/streams/{stream}/view}) and its assets
 * ({@code GET /assets/{name}}, which also serves the {@link ConsolePage console}'s), the same bytes and headers on every transport. The page opens
 * with the stream's token, reads it from its own address and follows the stream's events with it,
 * so it holds no inline script and runs under a strict Content-Security-Policy.
 */
public final class ViewerPage {
    /**
     * Only the server's own script and style, and connections back to it. The page shows
     * whatever a command prints, so nothing it holds may load or run anything else.
     */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /**
     * The page's headers: its policy; and since its address holds the token, it must not travel
     * on in a Referer, nor sit in a cache.
     */
    public static final Map<String, String> PAGE_HEADERS = Map.of(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store");

    /** The assets' headers: the same for everyone, and they hold nothing of any stream. */
    public static final Map<String, String> ASSET_HEADERS = Map.of(
            "X-Content-Type-Options", "nosniff",
            "Cache-Control", "no-cache");

    /** The page itself. */
    public static final ClasspathAsset PAGE = ClasspathAsset.load("viewer/view.html", "text/html; charset=utf-8");

    /**
     * The page as served with a control token for a stream that takes {@code interaction}: the
     * same, with {@code data-control} on its body ({@code none}, {@code stdin} or {@code session}),
     * which makes the page show the controls that stream takes. The server says so, having
     * checked the token; the page never decides it from its address.
     */
    public static ClasspathAsset controlPage(Interaction interaction) {
        return CONTROL_PAGES.get(interaction);
    }

    private static final Map<Interaction, ClasspathAsset> CONTROL_PAGES = controlPages();

    private static Map<Interaction, ClasspathAsset> controlPages() {
        Map<Interaction, ClasspathAsset> pages = new EnumMap<>(Interaction.class);
        String page = new String(PAGE.bytes(), StandardCharsets.UTF_8);
        for (Interaction interaction : Interaction.values()) {
            String kind = interaction.name().toLowerCase(Locale.ROOT);
            pages.put(interaction, new ClasspathAsset(page.replace("<body data-state=\"connecting\">",
                    "<body data-state=\"connecting\" data-control=\"" + kind + "\">").getBytes(StandardCharsets.UTF_8),
                    PAGE.contentType()));
        }
        return pages;
    }

    /** {@code GET /openapi.json}: the OpenAPI 3 description of the API. */
    public static final ClasspathAsset OPENAPI = ClasspathAsset.load("openapi.json", "application/json");

    private static final Map<String, ClasspathAsset> ASSETS = Map.of(
            "viewer.js", ClasspathAsset.load("viewer/viewer.js", "text/javascript; charset=utf-8"),
            "viewer.css", ClasspathAsset.load("viewer/viewer.css", "text/css; charset=utf-8"),
            "console.js", ClasspathAsset.load("viewer/console.js", "text/javascript; charset=utf-8"),
            "console.css", ClasspathAsset.load("viewer/console.css", "text/css; charset=utf-8"),
            "favicon.svg", ClasspathAsset.load("viewer/favicon.svg", "image/svg+xml"));

    private ViewerPage() {
    }

    /** The asset of that name, if there is one. */
    public static Optional<ClasspathAsset> asset(String name) {
        return Optional.ofNullable(ASSETS.get(name));
    }
}
