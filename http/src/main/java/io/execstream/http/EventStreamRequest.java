package io.execstream.http;

/**
 * What the event-stream protocol needs of a {@code GET /projects/{project}/events/{stream}}
 * request, read by a transport from its own request type.
 *
 * @param method            the HTTP method, upper case
 * @param project           the project path segment, percent-decoded
 * @param stream            the stream path segment, percent-decoded
 * @param accept            the {@code Accept} header, or null
 * @param apiKey            the {@value Access#API_KEY_HEADER} header, or null
 * @param token             the {@code token} query parameter, or null
 * @param lastEventIdHeader the {@code Last-Event-ID} header, or null
 * @param lastEventIdQuery  the {@code last_event_id} query parameter, or null
 */
public record EventStreamRequest(String method, String project, String stream, String accept, String apiKey,
                                 String token, String lastEventIdHeader, String lastEventIdQuery) {

    /** Where to resume: the header when it has a value, else the query parameter, else null (from the start). */
    public String lastEventId() {
        if (lastEventIdHeader != null && !lastEventIdHeader.isBlank()) {
            return lastEventIdHeader.trim();
        }
        return lastEventIdQuery;
    }
}
