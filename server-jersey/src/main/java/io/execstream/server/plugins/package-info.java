/**
 * The server's adapters, made by the providers {@link java.util.ServiceLoader} finds on the class
 * path and in {@code --plugins DIR}: the runner of {@code --runner}, the publisher of
 * {@code --publisher} and every agent that is on, with their options
 * ({@code --runner-option}, the shorthand flags) checked before anything is built. The server
 * names no adapter class, so a plug-in is served like a built-in one.
 */
package io.execstream.server.plugins;
