/**
 * The standalone server's transport on Grizzly, behind one door,
 * {@link io.execstream.server.transport.GrizzlyTransport}: event streams served straight on
 * Grizzly (the per-write cost limits fan-out), and the API's JSON error body and security headers
 * on the answers Grizzly and Jersey's container would otherwise give on their own. The bytes and
 * the checks are the HTTP layer's ({@code io.execstream.http}), as on any transport.
 */
package io.execstream.server.transport;
