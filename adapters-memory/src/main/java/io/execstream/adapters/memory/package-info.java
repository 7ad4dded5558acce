/**
 * A {@link io.execstream.ports.StreamPublisher} that keeps streams on this JVM's heap:
 * {@link io.execstream.adapters.memory.InMemoryStreamPublisher}, with bounded history and
 * retention; plug-in provider {@code memory}. Its delivery to subscribers is
 * {@code execstream-adapter-support}'s, set by one {@code DeliverySettings}.
 */
package io.execstream.adapters.memory;
