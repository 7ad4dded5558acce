package io.execstream.jaxrs;

import io.execstream.core.ExecStream;
import io.execstream.core.StartAgent;
import io.execstream.core.StartCommand;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.UnknownProviderException;
import io.execstream.http.Links;
import io.execstream.http.RequestBodies;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.net.URI;

/**
 * {@code POST /projects/{project}/commands}, and {@code POST /projects/{project}/claude}, the
 * route of the agent whose {@code CodeAgent.alias()} is {@value #CLAUDE_ALIAS} (Claude Code's),
 * which also takes that agent's options as body fields.
 *
 * <p>The route is here because the API documents it; what it runs and which extra fields it takes
 * are the agent's: the provider is looked up by alias, the fields are its declared
 * {@code AgentCapabilities.options()}, and their values are checked by its {@code validate}.
 */
@ExecStreamApi
@Path("/projects/{project}")
@Produces(MediaType.APPLICATION_JSON)
public final class CommandsResource {
    /** The one agent alias the API documents: {@code POST /projects/{project}/claude}. */
    static final String CLAUDE_ALIAS = "claude";

    private final ExecStream starter;
    private final Links links;
    private final long maxBody;

    CommandsResource(ExecStream starter, Links links, long maxBody) {
        this.starter = starter;
        this.links = links;
        this.maxBody = maxBody;
    }

    @POST
    @Path("commands")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response startCommand(@PathParam("project") String project, InputStream body, @Context UriInfo uri) {
        ProjectId id = ProjectId.of(project);
        var json = RequestBodies.readObject(body, maxBody);
        var spec = RequestBodies.commandSpec(json);
        var command = new StartCommand(id, spec).withWebhookUrl(RequestBodies.webhookUrl(json));
        return started(links.at(uri.getBaseUri().getRawPath()), starter.start(command));
    }

    @POST
    @Path(CLAUDE_ALIAS)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response startClaude(@PathParam("project") String project, InputStream body, @Context UriInfo uri) {
        return startAlias(CLAUDE_ALIAS, project, body, uri);
    }

    private Response startAlias(String alias, String project, InputStream body, UriInfo uri) {
        ProjectId id = ProjectId.of(project);
        // Which agent answers, and which fields it takes beyond the neutral ones, is the agent's to say.
        String provider = starter.providerOfAlias(alias).orElseThrow(() -> new UnknownProviderException(alias));
        var options = starter.agents().get(provider).options();
        var json = RequestBodies.readObject(body, maxBody);
        var prompt = RequestBodies.agentPrompt(json, options);
        var run = new StartAgent(id, provider, prompt).withWebhookUrl(RequestBodies.webhookUrl(json));
        return started(links.at(uri.getBaseUri().getRawPath()), starter.startAgent(run));
    }

    /** The answer to a start request: {@code 202}, the status URL as {@code Location}, and the stream's links. */
    static Response started(Links links, StreamInfo info) {
        String statusUrl = links.statusUrl(info.project(), info.id());
        return JsonResponses.json(Response.Status.ACCEPTED, links.started(info))
                .location(URI.create(statusUrl))
                .build();
    }
}
