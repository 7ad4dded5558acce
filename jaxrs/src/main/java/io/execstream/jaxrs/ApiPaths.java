package io.execstream.jaxrs;

/**
 * The API's paths, for the filters that run before a request is matched to a resource (and so
 * cannot be bound to the API's resources by name): they leave the application's other paths alone.
 */
final class ApiPaths {
    private ApiPaths() {
    }

    /** Whether a path relative to the application's base ({@code UriInfo.getPath()}) is the API's. */
    static boolean isApi(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.startsWith("projects/") || p.equals("healthz") || p.equals("openapi.json") || p.startsWith("assets/");
    }
}
