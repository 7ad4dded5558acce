/**
 * The flags of {@code execstream serve}: the one list that parsing and {@code --help} are made
 * from ({@link io.execstream.server.config.ServerFlags}), the values read
 * ({@link io.execstream.server.config.FlagValues}), and the start-up check of the history budget
 * against the heap ({@link io.execstream.server.config.HeapFit}). The typed settings are
 * {@link ServerConfig}.
 */
package io.execstream.server.config;
