/**
 * The {@code execstream run} and {@code execstream tail} commands. {@code run} starts a command
 * and prints its output live: on a server through {@code execstream-client}, or without one in
 * this process, through the core with the {@code local} runner and the {@code memory} publisher
 * (found by their providers). {@code tail} follows an existing stream. Both exit with the
 * command's exit code, or one that says how it ended. {@link io.execstream.cli.Cli} is the entry
 * point; the standalone server's {@code Main} dispatches {@code run} and {@code tail} to it.
 */
package io.execstream.cli;
