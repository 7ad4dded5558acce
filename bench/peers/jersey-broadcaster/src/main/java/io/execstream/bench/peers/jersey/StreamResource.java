package io.execstream.bench.peers.jersey;

import io.execstream.bench.peers.shared.Requests;
import io.execstream.bench.peers.shared.StreamTable;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * execstream's endpoints, as the better-sse peer serves them, in JAX-RS: start a command, follow
 * its events (history, {@code Last-Event-ID} resume, live), cancel it, {@code /healthz}. Auth: the
 * {@code X-API-Key} header, or on an event stream the token of its {@code stream_url}.
 */
@Path("/")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public final class StreamResource {

    private static final String API_KEY = "X-API-Key";

    /** The body of a POST to {@code /projects/{project}/commands}. */
    public record CommandRequest(String command) {
    }

    /** The answer to it. */
    public record Started(String streamId, String streamUrl, String statusUrl) {
    }

    /** The JSON body of every error, as execstream's: {@code {"error": code, "message": text}}. */
    public record ApiError(String error, String message) {
    }

    private final StreamTable<CommandStream> streams;
    private final Set<String> keys;

    @Inject
    public StreamResource(StreamTable<CommandStream> streams, PeerOptions options) {
        this.streams = streams;
        this.keys = options.keys();
    }

    @GET
    @Path("healthz")
    public Map<String, String> health() {
        return Map.of("status", "ok");
    }

    @POST
    @Path("projects/{project}/commands")
    public Response start(@PathParam("project") String project, @HeaderParam(API_KEY) String key, CommandRequest request,
            @Context Sse sse) {
        checkProject(project);
        if (!keys.contains(String.valueOf(key))) {
            throw refused(Response.Status.UNAUTHORIZED, "unauthorized", "no or unknown key");
        }
        if (request == null || request.command() == null || request.command().isEmpty()) {
            throw refused(Response.Status.BAD_REQUEST, "invalid_command", "command must be a non-empty string");
        }
        CommandStream stream = streams.start(new CommandStream(sse, project), request.command());
        String status = "/projects/" + project + "/streams/" + stream.id();
        return Response.accepted(new Started(stream.id(), "/projects/" + project + "/events/" + stream.id() + "?token=" + stream.token(), status))
                .location(URI.create(status)).build();
    }

    @GET
    @Path("projects/{project}/events/{id}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void follow(@PathParam("project") String project, @PathParam("id") String id, @HeaderParam(API_KEY) String key,
            @QueryParam("token") String token, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
            @QueryParam("last_event_id") String lastEventParam, @Context SseEventSink sink) {
        checkProject(project);
        CommandStream stream = streams.get(project, id);
        if (!keys.contains(String.valueOf(key)) && !(stream != null && stream.token().equals(token))) {
            throw refused(Response.Status.UNAUTHORIZED, "unauthorized", "no or unknown key");
        }
        if (stream == null) {
            throw refused(Response.Status.NOT_FOUND, "not_found", "no such stream");
        }
        String last = lastEventId != null ? lastEventId : lastEventParam;
        int size = stream.size();
        int skip = Requests.resumeAfter(last, size);
        if (skip < 0) {
            throw refused(Response.Status.BAD_REQUEST, "invalid_request", "bad Last-Event-ID");
        }
        if (last != null && skip == size && stream.isDone()) {
            throw new WebApplicationException(Response.noContent().build());
        }
        stream.follow(sink, skip);
    }

    @POST
    @Path("projects/{project}/streams/{id}/cancel")
    public Response cancel(@PathParam("project") String project, @PathParam("id") String id, @HeaderParam(API_KEY) String key) {
        checkProject(project);
        if (!keys.contains(String.valueOf(key))) {
            throw refused(Response.Status.UNAUTHORIZED, "unauthorized", "no or unknown key");
        }
        CommandStream stream = streams.get(project, id);
        if (stream == null) {
            throw refused(Response.Status.NOT_FOUND, "not_found", "no such stream");
        }
        stream.cancel();
        return Response.accepted(Map.of("stream_id", stream.id(), "status", stream.status())).build();
    }

    private static void checkProject(String project) {
        if (!Requests.validProject(project)) {
            throw refused(Response.Status.BAD_REQUEST, "invalid_project_id", "bad project id");
        }
    }

    static WebApplicationException refused(Response.Status status, String code, String message) {
        return new WebApplicationException(Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(code, message)).build());
    }
}
