package io.execstream.ports;

import java.util.Objects;

/**
 * Events a subscriber asked for that its stream no longer keeps.
 *
 * @param missed       how many events it will never see; at least 1
 * @param lastMissedId the id of the last of them: resuming after it asks for nothing that is gone,
 *                     so it is the id a client should remember for the gap
 */
public record Gap(long missed, String lastMissedId) {
    public Gap {
        Objects.requireNonNull(lastMissedId, "lastMissedId");
        if (missed < 1) {
            throw new IllegalArgumentException("a gap misses at least one event");
        }
    }
}
