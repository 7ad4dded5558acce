/**
 * A {@link io.execstream.ports.StreamPublisher} that keeps streams in files on local disk, across
 * restarts: {@link io.execstream.adapters.disk.DiskStreamPublisher}, plug-in provider {@code disk}.
 * Its delivery to subscribers is {@code execstream-adapter-support}'s, set by one
 * {@code DeliverySettings}; subscribers that fall behind catch up from the files.
 */
package io.execstream.adapters.disk;
