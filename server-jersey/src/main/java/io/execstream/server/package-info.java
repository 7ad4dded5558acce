/**
 * The standalone execstream server: the HTTP API of {@code execstream-jaxrs} on Jersey and
 * Grizzly, with event streams on a fast path of their own. It only assembles: validation lives
 * in the domain, behaviour in the core, HTTP in {@code execstream-http}. This package holds the
 * entry points and the public API: {@link io.execstream.server.Main} (the {@code execstream}
 * command), {@link io.execstream.server.ExecStreamServer} (embed it, from flags or around an
 * {@code ExecStream} of your own) and {@link io.execstream.server.config.ServerConfig} (its settings).
 *
 * <p>The rest is by concern: {@code config} (the flags and {@code --help}), {@code plugins}
 * (adapters from their providers, {@code --plugins}), {@code transport} (what is Grizzly's),
 * {@code metrics} ({@code GET /metrics}) and {@code logging} (the one log format).
 */
package io.execstream.server;
