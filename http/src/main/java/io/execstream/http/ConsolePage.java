package io.execstream.http;

import io.execstream.domain.ProjectId;

/**
 * A project's console page ({@code GET /projects/{project}/console}), the same bytes on every
 * transport, with the viewer's headers ({@link ViewerPage#PAGE_HEADERS}: its strict policy, no
 * referrer, no caching) and assets ({@code /assets/console.js}, {@code /assets/console.css}). The
 * page reads its console token from its own address and follows the project with one
 * EventSource on {@code /projects/{project}/events}.
 */
public final class ConsolePage {
    /** The page itself. */
    public static final ClasspathAsset PAGE = ClasspathAsset.load("viewer/console.html", "text/html; charset=utf-8");

    private ConsolePage() {
    }

    /** The page's address with {@code token}, under the API's {@code basePath} (its raw base path). */
    public static String url(String basePath, ProjectId project, String token) {
        String base = (basePath.startsWith("/") ? "" : "/") + basePath + (basePath.endsWith("/") ? "" : "/");
        return base + "projects/" + project.value() + "/console?token=" + token;
    }
}
