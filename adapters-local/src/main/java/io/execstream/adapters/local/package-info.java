/**
 * A {@link io.execstream.ports.CommandRunner} for local processes:
 * {@link io.execstream.adapters.local.LocalCommandRunner}, each command in a process group of its
 * own, stopped with its whole process tree; plug-in provider {@code local}.
 */
package io.execstream.adapters.local;
