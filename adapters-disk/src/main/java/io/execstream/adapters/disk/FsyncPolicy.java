package io.execstream.adapters.disk;

/**
 * When a {@link DiskStreamPublisher} forces what it wrote to the disk itself. Every event is
 * written to its segment file (the operating system's page cache) before it is handed to any
 * subscriber, so whatever a client has received survives the server process being killed under
 * every policy; the policy decides what survives the machine losing power or the kernel crashing.
 */
public enum FsyncPolicy {
    /** Each append is forced before it returns: nothing acknowledged is lost, at the cost of one fsync per event. */
    ALWAYS,
    /**
     * Group commit: streams written since the last time are forced every
     * {@link DiskStreamPublisher.Builder#syncInterval sync interval} (default 5 ms), and at every
     * completion; a power loss loses at most the last interval.
     */
    INTERVAL,
    /** Never forced by the publisher: the operating system writes back when it chooses (seconds). */
    NEVER
}
