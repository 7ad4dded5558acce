/**
 * Immutable value types of execstream: ids, the command to run, a provider-neutral agent prompt,
 * the events of a stream and their status, and the one error family ({@link
 * io.execstream.domain.ExecStreamException}, each member carrying its {@link
 * io.execstream.domain.ErrorCode}) raised when a request is refused.
 *
 * <p>Every type validates itself in its constructor, so a value that exists is a valid one.
 * This package depends on the JDK only.
 */
package io.execstream.domain;
