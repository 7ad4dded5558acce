package io.execstream.jaxrs;

import io.execstream.core.StartAgent;
import io.execstream.core.StartCommand;
import io.execstream.core.StartCommandUseCase;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamInfo;
import io.execstream.http.Links;
import io.execstream.http.RequestBodies;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.net.URI;

/**
 * {@code POST /projects/{project}/commands}, and {@code POST /projects/{project}/claude}, the
 * {@code claude-code} provider's alias that also takes the Claude Code CLI's options.
 */
@ExecStreamApi
@Path("/projects/{project}")
@Produces(MediaType.APPLICATION_JSON)
public final class CommandsResource {
    private final StartCommandUseCase starter;
    private final Links links;
    private final long maxBody;

    CommandsResource(StartCommandUseCase starter, Links links, long maxBody) {
        this.starter = starter;
        this.links = links;
        this.maxBody = maxBody;
    }

    @POST
    @Path("commands")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response startCommand(@PathParam("project") String project, InputStream body, @Context UriInfo uri) {
        ProjectId id = ProjectId.of(project);
        var spec = RequestBodies.commandSpec(RequestBodies.readObject(body, maxBody));
        return started(links.at(uri.getBaseUri().getRawPath()), starter.start(new StartCommand(id, spec)));
    }

    @POST
    @Path("claude")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response startClaude(@PathParam("project") String project, InputStream body, @Context UriInfo uri) {
        ProjectId id = ProjectId.of(project);
        var prompt = RequestBodies.claudePrompt(RequestBodies.readObject(body, maxBody));
        return started(links.at(uri.getBaseUri().getRawPath()), starter.startAgent(new StartAgent(id, StartAgent.CLAUDE_CODE, prompt)));
    }

    /** The answer to a start request: {@code 202}, the status URL as {@code Location}, and the stream's links. */
    static Response started(Links links, StreamInfo info) {
        String statusUrl = links.statusUrl(info.project(), info.id());
        return JsonResponses.json(Response.Status.ACCEPTED,
                        new Links.Started(info.id().value(), links.streamUrl(info.project(), info.id()), statusUrl))
                .location(URI.create(statusUrl))
                .build();
    }
}
