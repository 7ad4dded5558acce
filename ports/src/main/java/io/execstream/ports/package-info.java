/**
 * The outbound ports of execstream: what the core needs from the world, written as small
 * interfaces that adapters implement.
 *
 * <ul>
 *   <li>{@link io.execstream.ports.CommandRunner} starts a command in a project's environment
 *       and reports its output bytes and its exit to a {@link io.execstream.ports.CommandListener}.</li>
 *   <li>{@link io.execstream.ports.StreamPublisher} keeps each stream's events and their history
 *       and hands them to any number of {@link io.execstream.ports.StreamSubscriber}s, replaying
 *       history before live events without a gap.</li>
 * </ul>
 *
 * <p>This package holds interfaces and their callback values only; the plug-in providers that
 * make an adapter loadable by the standalone server are in {@link io.execstream.ports.plugin}.
 * Machinery an adapter may reuse to meet these contracts (per-subscriber delivery, a guard for a
 * runner's listener calls, the process-command skeleton) is in {@code execstream-adapter-support};
 * the contract tests an adapter must pass are in {@code execstream-testkit}.
 */
package io.execstream.ports;
