/**
 * Machinery adapters may reuse, so that each gets the ports' contracts right in the same way:
 *
 * <ul>
 *   <li>for publishers: {@link io.execstream.adapters.support.DeliveryQueue}, one subscriber's
 *       bounded buffer and ordered delivery, and {@link io.execstream.adapters.support.Deliveries},
 *       the executor and bounds a publisher's queues get, set by one
 *       {@link io.execstream.adapters.support.DeliverySettings};</li>
 *   <li>for runners: {@link io.execstream.adapters.support.ProcessCommand}, the skeleton of a
 *       command run through a local process (the command itself, or a client such as
 *       {@code kubectl exec}), with its {@link io.execstream.adapters.support.OutputPump}s;
 *       {@link io.execstream.adapters.support.ListenerGuard}, which keeps a runner's calls into
 *       its listener within the contract; and {@link io.execstream.adapters.support.ProcessExit},
 *       a wait for a process that an interrupt cannot cut short; and
 *       {@link io.execstream.adapters.support.StdinPipe}, the named pipe a command's open stdin
 *       is, written through {@link io.execstream.adapters.support.CommandStdin};</li>
 *   <li>for both: {@link io.execstream.adapters.support.DaemonThreads}.</li>
 * </ul>
 *
 * <p>Depends on the domain and the ports only. The core does not use it.
 */
package io.execstream.adapters.support;
