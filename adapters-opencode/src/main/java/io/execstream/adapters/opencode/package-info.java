/**
 * A {@link io.execstream.ports.CodeAgent} for OpenCode: {@link io.execstream.adapters.opencode.OpenCodeAgent}
 * drives a project's {@code opencode serve} over HTTP and follows its event stream. Everything
 * else in the package is internal.
 */
package io.execstream.adapters.opencode;
