/**
 * A {@link io.execstream.ports.CommandRunner} over {@code kubectl exec}:
 * {@link io.execstream.adapters.kubectl.KubectlCommandRunner}. Each command is a
 * {@code ProcessCommand} of {@code execstream-adapter-support} whose signals go to the pod through
 * a second {@code kubectl exec}.
 */
package io.execstream.adapters.kubectl;
