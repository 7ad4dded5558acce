/**
 * Immutable value types of execstream: ids, the command to run, the events of a stream and
 * their status, and the validation errors raised when input breaks a rule.
 *
 * <p>Every type validates itself in its constructor, so a value that exists is a valid one.
 * This package depends on the JDK only.
 */
package io.execstream.domain;
