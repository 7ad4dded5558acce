package io.execstream.jaxrs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.core.Accepted;
import io.execstream.core.ExecStream;
import io.execstream.core.MessageAccepted;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.http.ApiJson;
import io.execstream.http.Ids;
import io.execstream.http.Links;
import io.execstream.http.QueryParams;
import io.execstream.http.RequestBodies;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Status, list and cancel of a project's streams, and what is sent to a running one: input for a
 * command started with stdin, and the messages, interrupts, close and answers to requests for
 * permission of a live agent session.
 * Those write routes take an API key of role operator or above, or the stream's control token in
 * {@code Authorization: Bearer}; never a stream's read-only token ({@link AuthFilter}).
 */
@ExecStreamApi
@Path("/projects/{project}/streams")
@Produces(MediaType.APPLICATION_JSON)
public final class StreamsResource {
    static final int MAX_LIST = 1000;

    private final ExecStream service;
    private final Links links;
    private final long maxBody;

    StreamsResource(ExecStream service, Links links, long maxBody) {
        this.service = service;
        this.links = links;
        this.maxBody = maxBody;
    }

    /** The body of {@code GET /projects/{project}/streams}. */
    record StreamList(List<Links.StreamView> streams) {
    }

    /**
     * The project's most recent streams, newest first; with {@code ?activity=}, only the live
     * sessions that run and are {@code working}, {@code awaiting_permission} or {@code idle}.
     */
    @GET
    public Response list(@PathParam("project") String project, @QueryParam("limit") @DefaultValue("50") String limit,
                         @QueryParam("activity") String activity, @Context UriInfo uri) {
        int n = QueryParams.limit(limit, MAX_LIST, 50);
        ProjectId p = ProjectId.of(project);
        if (activity == null) {
            return JsonResponses.ok(new StreamList(service.list(p, n).stream().map(links(uri)::view).toList()));
        }
        SessionState.Activity wanted = activity(activity);
        // Of the most recent streams the publisher lists, those that match, up to the limit.
        List<StreamInfo> matching = service.list(p, MAX_LIST).stream()
                .filter(info -> !info.isFinished() && info.session() != null && info.session().activity() == wanted)
                .limit(n).toList();
        return JsonResponses.ok(new StreamList(matching.stream().map(links(uri)::view).toList()));
    }

    private static SessionState.Activity activity(String wireName) {
        for (SessionState.Activity a : SessionState.Activity.values()) {
            if (a.wireName().equals(wireName)) {
                return a;
            }
        }
        throw InvalidInputException.invalidRequest("activity must be one of "
                + String.join(", ", Arrays.stream(SessionState.Activity.values()).map(SessionState.Activity::wireName).toList()));
    }

    @GET
    @Path("{stream}")
    public Response status(@PathParam("project") String project, @PathParam("stream") String stream, @Context UriInfo uri) {
        return JsonResponses.ok(links(uri).view(service.status(ProjectId.of(project), Ids.stream(stream))));
    }

    @POST
    @Path("{stream}/cancel")
    @AuthFilter.AcceptsControlToken
    public Response cancel(@PathParam("project") String project, @PathParam("stream") String stream, @Context UriInfo uri) {
        StreamInfo info = service.cancel(ProjectId.of(project), Ids.stream(stream));
        return JsonResponses.json(Response.Status.ACCEPTED, links(uri).view(info)).build();
    }

    /** Writes to the stdin of a command started with {@code "stdin": true}. */
    @POST
    @Path("{stream}/input")
    @AuthFilter.AcceptsControlToken
    @Consumes(MediaType.APPLICATION_JSON)
    public Response input(@PathParam("project") String project, @PathParam("stream") String stream, InputStream body,
                          @Context UriInfo uri) {
        StreamInfo info = existing(project, stream);
        var input = RequestBodies.input(info.project(), info.id(), RequestBodies.readObject(body, maxBody));
        return accepted(uri, service.sendInput(input));
    }

    /** Sends a follow-up message to a live agent session; the answer says which turn takes it. */
    @POST
    @Path("{stream}/messages")
    @AuthFilter.AcceptsControlToken
    @Consumes(MediaType.APPLICATION_JSON)
    public Response message(@PathParam("project") String project, @PathParam("stream") String stream, InputStream body,
                            @Context UriInfo uri) {
        StreamInfo info = existing(project, stream);
        var message = RequestBodies.message(info.project(), info.id(), RequestBodies.readObject(body, maxBody));
        MessageAccepted taken = service.sendMessage(message);
        ObjectNode answer = answer(uri, taken.stream(), taken.relayed()).put("turn", taken.turn()).put("queued", taken.queued());
        return JsonResponses.json(Response.Status.ACCEPTED, answer).build();
    }

    /** Stops a live session's current turn; the session then waits for a message. */
    @POST
    @Path("{stream}/interrupt")
    @AuthFilter.AcceptsControlToken
    public Response interrupt(@PathParam("project") String project, @PathParam("stream") String stream, InputStream body,
                              @Context UriInfo uri) {
        return bodiless(project, stream, body, uri, service::interrupt);
    }

    /** Ends a live session after its current turn, or closes a command's stdin. */
    @POST
    @Path("{stream}/close")
    @AuthFilter.AcceptsControlToken
    public Response close(@PathParam("project") String project, @PathParam("stream") String stream, InputStream body,
                          @Context UriInfo uri) {
        return bodiless(project, stream, body, uri, service::close);
    }

    /**
     * Answers a request for permission of a live session started with approvals, for the key's
     * name: {@code 202} once taken; the agent gets it after what was sent to it before.
     */
    @POST
    @Path("{stream}/permissions/{request_id}")
    @AuthFilter.AcceptsControlToken
    @Consumes(MediaType.APPLICATION_JSON)
    public Response answerPermission(@PathParam("project") String project, @PathParam("stream") String stream,
                                     @PathParam("request_id") String requestId, InputStream body, @Context UriInfo uri,
                                     @Context ContainerRequestContext context) {
        StreamInfo info = existing(project, stream);
        var answer = RequestBodies.answer(info.project(), info.id(), requestId, RequestBodies.readObject(body, maxBody),
                (String) context.getProperty(AuthFilter.KEY_NAME));
        return accepted(uri, service.answerPermission(answer));
    }

    /**
     * A control token for the stream, in the name of the asking key: {@code 201} with the token,
     * its expiry, and the viewer page and event stream opened with it. Key only (a control token
     * cannot ask for another), operator or above.
     */
    @POST
    @Path("{stream}/control-token")
    public Response controlToken(@PathParam("project") String project, @PathParam("stream") String stream,
                                 InputStream body, @Context UriInfo uri, @Context ContainerRequestContext context) {
        StreamInfo info = existing(project, stream);
        RequestBodies.noFields(body, maxBody);
        Links.ControlToken token = links(uri).controlToken(info.project(), info.id(),
                (String) context.getProperty(AuthFilter.KEY_NAME));
        return JsonResponses.json(Response.Status.CREATED, token).build();
    }

    /** A request to a running stream that takes no fields: an empty body or {@code {}}. */
    private Response bodiless(String project, String stream, InputStream body, UriInfo uri,
                              BiFunction<ProjectId, StreamId, Accepted> request) {
        StreamInfo info = existing(project, stream);
        RequestBodies.noFields(body, maxBody);
        return accepted(uri, request.apply(info.project(), info.id()));
    }

    /**
     * The stream, or {@code not_found} when the project has none such: checked before the body
     * is read, as an unknown agent provider is, since no body can make the stream the project's.
     */
    private StreamInfo existing(String project, String stream) {
        return service.status(ProjectId.of(project), Ids.stream(stream));
    }

    private Response accepted(UriInfo uri, Accepted taken) {
        return JsonResponses.json(Response.Status.ACCEPTED, answer(uri, taken.stream(), taken.relayed())).build();
    }

    /** The stream's view, as its status shows it, and whether the request went on to another node. */
    private ObjectNode answer(UriInfo uri, StreamInfo info, boolean relayed) {
        ObjectNode answer = ApiJson.MAPPER.valueToTree(links(uri).view(info));
        return answer.put("relayed", relayed);
    }

    private Links links(UriInfo uri) {
        return links.at(uri.getBaseUri().getRawPath());
    }
}
