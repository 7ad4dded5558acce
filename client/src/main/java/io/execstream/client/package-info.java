/**
 * A Java client of the execstream HTTP API, on {@code java.net.http}: {@link io.execstream.client.ExecStreamClient}
 * starts commands and coding agents, reads and lists streams, cancels, talks to running streams
 * (input for a command started with stdin; messages, interrupts, close and answers to requests
 * for permission for a live agent session), and follows a stream live through a
 * {@link io.execstream.client.StreamListener}, resuming with {@code Last-Event-ID} after a dropped
 * connection. It depends on the JDK and {@code execstream-sse} only.
 */
package io.execstream.client;
