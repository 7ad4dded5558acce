package io.execstream.jaxrs;

import io.execstream.core.ExecStream;
import io.execstream.core.StartAgent;
import io.execstream.domain.ProjectId;
import io.execstream.http.Links;
import io.execstream.http.RequestBodies;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.util.List;

/**
 * The coding agents: {@code GET /projects/{project}/agents} lists the configured providers and
 * what each can do; {@code POST /projects/{project}/agents/{provider}} starts a run of one.
 */
@ExecStreamApi
@Path("/projects/{project}/agents")
@Produces(MediaType.APPLICATION_JSON)
public final class AgentsResource {
    private final ExecStream starter;
    private final Links links;
    private final long maxBody;

    AgentsResource(ExecStream starter, Links links, long maxBody) {
        this.starter = starter;
        this.links = links;
        this.maxBody = maxBody;
    }

    /** The body of {@code GET /projects/{project}/agents}, providers in name order. */
    record AgentList(List<AgentView> agents) {
    }

    record AgentView(String provider, Capabilities capabilities) {
    }

    record Capabilities(boolean resume, boolean cancel, boolean costReporting, List<String> models, boolean interactive,
                        boolean approvals) {
    }

    @GET
    public Response list(@PathParam("project") String project) {
        ProjectId.of(project);
        return JsonResponses.ok(new AgentList(starter.agents().entrySet().stream()
                .map(e -> new AgentView(e.getKey(), new Capabilities(e.getValue().resume(), e.getValue().cancel(),
                        e.getValue().costReporting(), e.getValue().models(), e.getValue().interactive(),
                        e.getValue().approvals())))
                .toList()));
    }

    @POST
    @Path("{provider}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(@PathParam("project") String project, @PathParam("provider") String provider, InputStream body,
                          @Context UriInfo uri) {
        ProjectId id = ProjectId.of(project);
        // An unknown provider is refused before its body is read: no field can make it known.
        starter.requireAgent(provider);
        var json = RequestBodies.readObject(body, maxBody);
        var prompt = RequestBodies.agentPrompt(json);
        var run = new StartAgent(id, provider, prompt).withWebhookUrl(RequestBodies.webhookUrl(json));
        return CommandsResource.started(links.at(uri.getBaseUri().getRawPath()), starter.startAgent(run));
    }
}
