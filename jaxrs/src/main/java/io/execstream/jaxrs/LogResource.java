package io.execstream.jaxrs;

import io.execstream.domain.ProjectId;
import io.execstream.http.Ids;
import io.execstream.http.StreamLogs;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /projects/{project}/streams/{stream}/log}: a page of the stream's output as text, or
 * of its events as NDJSON ({@link StreamLogs}). Read with a key, or with the stream's token in
 * {@code ?token=}, as its event stream is.
 */
@ExecStreamApi
@Path("/projects/{project}/streams/{stream}/log")
public final class LogResource {
    private final StreamLogs logs;

    LogResource(StreamLogs logs) {
        this.logs = logs;
    }

    /** The page, with what its headers say of the next one. */
    @GET
    @AuthFilter.AcceptsStreamToken
    public Response log(@PathParam("project") String project, @PathParam("stream") String stream,
                        @QueryParam("type") String type, @QueryParam("format") String format,
                        @QueryParam("after") String after, @QueryParam("limit") String limit,
                        @QueryParam("timestamps") String timestamps, @QueryParam("download") String download) {
        StreamLogs.Query query = StreamLogs.query(type, format, after, limit, timestamps, download);
        StreamLogs.Page page = logs.read(ProjectId.of(project), Ids.stream(stream), query);
        Response.ResponseBuilder out = Response.ok(page.body());
        page.headers().forEach(out::header);
        return out.build();
    }
}
