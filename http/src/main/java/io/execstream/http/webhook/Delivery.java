package io.execstream.http.webhook;

import java.net.URI;

/**
 * One webhook to send: the same {@code id}, {@code body} and signature on every attempt.
 *
 * @param id     the delivery id ({@code X-Execstream-Delivery}, {@code delivery_id})
 * @param event  {@code needs_you} or {@code done} ({@code X-Execstream-Event})
 * @param target where it goes
 * @param body   the exact bytes sent and signed
 * @param what   names it in a log line: event, project and stream, never the body or the URL's path
 */
record Delivery(String id, String event, URI target, byte[] body, String what) {
}
