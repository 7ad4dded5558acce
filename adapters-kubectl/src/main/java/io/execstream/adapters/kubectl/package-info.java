/**
 * A {@link io.execstream.ports.CommandRunner} over {@code kubectl exec}:
 * {@link io.execstream.adapters.kubectl.KubectlCommandRunner}.
 */
package io.execstream.adapters.kubectl;
