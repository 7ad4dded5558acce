/**
 * Webhooks: a POST to a URL when a run needs a person or ends, signed with HMAC-SHA256 and
 * retried with backoff on its own threads. {@link io.execstream.http.webhook.WebhookNotifier} is
 * the {@link io.execstream.ports.RunNotifier} to hand to {@code ExecStream.builder(...).runNotifier}.
 */
package io.execstream.http.webhook;
