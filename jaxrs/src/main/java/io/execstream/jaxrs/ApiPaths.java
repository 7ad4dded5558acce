package io.execstream.jaxrs;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;

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

    /**
     * Whether the answer to {@code request} is the API's: a resource of the API matched it, or no
     * resource of the application did and its path is the API's (a {@code 404} under
     * {@code /projects/}). Jersey answers {@code OPTIONS} itself, for every resource, with a
     * handler of its own: there the path alone says.
     */
    static boolean isApiAnswer(ResourceInfo resource, ContainerRequestContext request) {
        Class<?> matched = resource.getResourceClass();
        return matched != null && !request.getMethod().equals(HttpMethod.OPTIONS)
                ? matched.isAnnotationPresent(ExecStreamApi.class) : isApi(request.getUriInfo().getPath());
    }
}
