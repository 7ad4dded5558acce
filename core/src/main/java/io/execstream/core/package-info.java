/**
 * The application service of execstream: {@link io.execstream.core.ExecStream} starts commands,
 * pumps their output into a publisher, cancels them, times them out and limits how many run.
 * An embedding application builds one with a {@link io.execstream.ports.CommandRunner} and a
 * {@link io.execstream.ports.StreamPublisher} and calls it through the use-case interfaces here.
 * This package depends on the JDK, the domain and the ports only.
 */
package io.execstream.core;
