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
 * <p>{@link io.execstream.ports.DeliveryQueue} is the one piece of shared machinery: the
 * per-subscriber buffer and delivery thread every publisher needs, so that each adapter gets the
 * ordering, slow-subscriber and terminal-callback rules of the contract right in the same way.
 * The testkit module holds the contract tests an adapter must pass.
 */
package io.execstream.ports;
