package io.execstream.bench.peers.webflux;

import io.execstream.bench.peers.shared.Requests;
import io.execstream.bench.peers.shared.StreamTable;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * execstream's endpoints, as the better-sse peer serves them: start a command, follow its events
 * (history, {@code Last-Event-ID} resume, live), cancel it, {@code /healthz}. Auth: the
 * {@code X-API-Key} header, or on an event stream the token of its {@code stream_url}.
 */
@RestController
class StreamController {

    private static final String API_KEY = "X-API-Key";

    /** The body of a POST to {@code /projects/{project}/commands}. */
    record CommandRequest(String command) {
    }

    /** The answer to it. */
    record Started(String streamId, String streamUrl, String statusUrl) {
    }

    private final StreamTable<CommandStream> streams;
    private final ApiKeys keys;
    private final Duration keepalive;

    StreamController(StreamTable<CommandStream> streams, ApiKeys keys, PeerProperties properties) {
        this.streams = streams;
        this.keys = keys;
        this.keepalive = properties.keepalive();
    }

    @GetMapping("/healthz")
    Map<String, String> health() {
        return Map.of("status", "ok");
    }

    @PostMapping("/projects/{project}/commands")
    Mono<ResponseEntity<Object>> start(@PathVariable String project, @RequestHeader(name = API_KEY, required = false) String key,
            @RequestBody Mono<CommandRequest> body) {
        if (!Requests.validProject(project)) {
            return Mono.just(error(HttpStatus.BAD_REQUEST, "invalid_project_id", "bad project id"));
        }
        if (!keys.contains(key)) {
            return Mono.just(unauthorized());
        }
        return body.map(request -> {
            if (request.command() == null || request.command().isEmpty()) {
                return error(HttpStatus.BAD_REQUEST, "invalid_command", "command must be a non-empty string");
            }
            CommandStream stream = streams.start(new CommandStream(project), request.command());
            String status = "/projects/" + project + "/streams/" + stream.id();
            return ResponseEntity.accepted().location(URI.create(status)).body(
                    new Started(stream.id(), "/projects/" + project + "/events/" + stream.id() + "?token=" + stream.token(), status));
        });
    }

    @GetMapping("/projects/{project}/events/{id}")
    ResponseEntity<?> follow(@PathVariable String project, @PathVariable String id,
            @RequestHeader(name = API_KEY, required = false) String key, @RequestParam(required = false) String token,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @RequestParam(name = "last_event_id", required = false) String lastEventParam) {
        if (!Requests.validProject(project)) {
            return error(HttpStatus.BAD_REQUEST, "invalid_project_id", "bad project id");
        }
        CommandStream stream = streams.get(project, id);
        if (!keys.contains(key) && !(stream != null && stream.token().equals(token))) {
            return unauthorized();
        }
        if (stream == null) {
            return error(HttpStatus.NOT_FOUND, "not_found", "no such stream");
        }
        String last = lastEventId != null ? lastEventId : lastEventParam;
        int size = stream.size();
        int skip = Requests.resumeAfter(last, size);
        if (skip < 0) {
            return error(HttpStatus.BAD_REQUEST, "invalid_request", "bad Last-Event-ID");
        }
        if (last != null && skip == size && stream.isDone()) {
            return ResponseEntity.noContent().build();
        }
        // A comment first, so that the response head goes out before the first event; a comment
        // every keepalive meanwhile; the response ends after the done event.
        Flux<ServerSentEvent<Object>> heartbeat = Flux.interval(keepalive).map(t -> ServerSentEvent.builder().comment("keepalive").build());
        Flux<ServerSentEvent<Object>> events = Flux.concat(Mono.just(ServerSentEvent.builder().comment("connected").build()),
                        Flux.merge(stream.after(skip), heartbeat))
                .takeUntil(event -> "done".equals(event.event()));
        return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).header("Cache-Control", "no-cache").body(events);
    }

    @PostMapping("/projects/{project}/streams/{id}/cancel")
    ResponseEntity<?> cancel(@PathVariable String project, @PathVariable String id,
            @RequestHeader(name = API_KEY, required = false) String key) {
        if (!Requests.validProject(project)) {
            return error(HttpStatus.BAD_REQUEST, "invalid_project_id", "bad project id");
        }
        if (!keys.contains(key)) {
            return unauthorized();
        }
        CommandStream stream = streams.get(project, id);
        if (stream == null) {
            return error(HttpStatus.NOT_FOUND, "not_found", "no such stream");
        }
        stream.cancel();
        return ResponseEntity.accepted().body(Map.of("stream_id", stream.id(), "status", stream.status()));
    }

    /** A body that is not JSON (400), or over 1 MB (413), as the other servers answer them. */
    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<Object> refused(ResponseStatusException e) {
        return e.getStatusCode().value() == HttpStatus.PAYLOAD_TOO_LARGE.value()
                ? error(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "body over 1MB")
                : error(HttpStatus.valueOf(e.getStatusCode().value()), "invalid_request", String.valueOf(e.getReason()));
    }

    private static ResponseEntity<Object> unauthorized() {
        return error(HttpStatus.UNAUTHORIZED, "unauthorized", "no or unknown key");
    }

    private static ResponseEntity<Object> error(HttpStatus status, String code, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ApiError(code, message));
    }
}
