/**
 * The standalone execstream server: JAX-RS resources on Jersey and Grizzly that expose the core
 * over HTTP, with Server-Sent Events for streams. It only assembles: validation lives in the
 * domain, behaviour in the core, and this package translates between them and HTTP.
 * Start it with {@link io.execstream.server.Main}, or embed it with
 * {@link io.execstream.server.ExecStreamServer}.
 */
package io.execstream.server;
