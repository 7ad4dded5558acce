package io.execstream.http.webhook;

/**
 * Told what becomes of each webhook delivery, e.g. for metrics. Called on the sender's threads;
 * must not block. Every delivery taken ends exactly once: {@link #delivered}, {@link #failed} or
 * {@link #dropped}.
 */
public interface WebhookListener {
    /** One HTTP attempt of a delivery is about to be sent. */
    default void attempted() {
    }

    /** A receiver answered 2xx. */
    default void delivered() {
    }

    /** An attempt failed in a way worth trying again, and another attempt is scheduled. */
    default void retried() {
    }

    /** The delivery was given up: the receiver refused it (4xx), or every attempt failed. */
    default void failed() {
    }

    /** The delivery was never sent: too many were waiting, or the sender was closed. */
    default void dropped() {
    }
}
