/**
 * The {@code execstream run}, {@code execstream tail} and {@code execstream chat} commands.
 * {@code run} starts a command and prints its output live (with {@code --stdin}, feeding it this
 * process's stdin): on a server through {@code execstream-client}, or without one in this
 * process, through the core with the {@code local} runner and the {@code memory} publisher
 * (found by their providers). {@code tail} follows an existing stream. {@code chat} holds a
 * conversation with a coding agent's live session on a server. They exit with the command's
 * exit code, or one that says how it ended. {@link io.execstream.cli.Cli} is the entry point; the
 * standalone server's {@code Main} dispatches the commands of {@link io.execstream.cli.Cli#SUBCOMMANDS} to it.
 */
package io.execstream.cli;
