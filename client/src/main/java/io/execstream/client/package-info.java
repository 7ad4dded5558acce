/**
 * A Java client of the execstream HTTP API, on {@code java.net.http}: {@link io.execstream.client.ExecStreamClient}
 * starts commands, reads and lists streams, cancels, and follows a stream live through a
 * {@link io.execstream.client.StreamListener}, resuming with {@code Last-Event-ID} after a dropped
 * connection. It depends on the JDK and {@code execstream-sse} only.
 */
package io.execstream.client;
