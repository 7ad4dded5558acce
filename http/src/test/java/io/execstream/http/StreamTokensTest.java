package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Stream tokens: bound to one stream, signed with the secret, valid until their expiry. */
class StreamTokensTest {
    private static final byte[] SECRET = "sixteen-bytes-at-least".getBytes(StandardCharsets.UTF_8);
    private static final ProjectId PROJECT = ProjectId.of("demo");
    private static final StreamId STREAM = StreamId.of("0123456789abcdef01234567");
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static StreamTokens at(Instant now, Duration ttl) {
        return new StreamTokens(SECRET, ttl, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void validUntilItsExpiry() {
        String token = at(NOW, Duration.ofHours(1)).issue(PROJECT, STREAM);
        assertEquals(StreamTokens.Verdict.VALID, at(NOW, Duration.ofHours(1)).check(PROJECT, STREAM, token));
        assertEquals(StreamTokens.Verdict.VALID, at(NOW.plusSeconds(3599), Duration.ofHours(1)).check(PROJECT, STREAM, token));
        assertEquals(StreamTokens.Verdict.EXPIRED, at(NOW.plusSeconds(3600), Duration.ofHours(1)).check(PROJECT, STREAM, token));
    }

    @Test
    void goodForAtLeastItsLifetimeWhenIssuedLateInASecond() {
        Instant late = NOW.plusMillis(900);
        String token = at(late, Duration.ofSeconds(1)).issue(PROJECT, STREAM);
        assertEquals(StreamTokens.Verdict.VALID, at(late.plusMillis(999), Duration.ofSeconds(1)).check(PROJECT, STREAM, token));
        assertEquals(StreamTokens.Verdict.EXPIRED, at(late.plusMillis(1100), Duration.ofSeconds(1)).check(PROJECT, STREAM, token));
    }

    @Test
    void boundToOneStreamOfOneProjectAndOneSecret() {
        StreamTokens tokens = at(NOW, Duration.ofHours(1));
        String token = tokens.issue(PROJECT, STREAM);
        assertEquals(StreamTokens.Verdict.INVALID, tokens.check(ProjectId.of("other"), STREAM, token));
        assertEquals(StreamTokens.Verdict.INVALID, tokens.check(PROJECT, StreamId.of("0123456789abcdef01234568"), token));
        StreamTokens otherSecret = new StreamTokens("another-secret-of-16".getBytes(StandardCharsets.UTF_8), Duration.ofHours(1),
                Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals(StreamTokens.Verdict.INVALID, otherSecret.check(PROJECT, STREAM, token));
    }

    @Test
    void aChangedExpiryOrSignatureIsInvalidNotExpired() {
        StreamTokens tokens = at(NOW, Duration.ofHours(1));
        String token = tokens.issue(PROJECT, STREAM);
        int dot = token.indexOf('.');
        String later = Long.toString(Long.parseLong(token.substring(0, dot), 36) + 1, 36) + token.substring(dot);
        assertEquals(StreamTokens.Verdict.INVALID, tokens.check(PROJECT, STREAM, later));
        String earlier = Long.toString(NOW.getEpochSecond() - 10, 36) + token.substring(dot);
        assertEquals(StreamTokens.Verdict.INVALID, at(NOW, Duration.ofHours(1)).check(PROJECT, STREAM, earlier));
        String unsigned = token.substring(0, dot + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
        assertEquals(StreamTokens.Verdict.INVALID, tokens.check(PROJECT, STREAM, unsigned));
    }

    @Test
    void garbageIsInvalid() {
        StreamTokens tokens = at(NOW, Duration.ofHours(1));
        for (String junk : new String[] {null, "", ".", "x", "zz.", ".abc", "-1.abc", "%%.%%", "1".repeat(40) + ".x", "a.b.c"}) {
            assertEquals(StreamTokens.Verdict.INVALID, tokens.check(PROJECT, STREAM, junk), String.valueOf(junk));
        }
    }

    @Test
    void secretAndLifetimeAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new StreamTokens(new byte[15], Duration.ofHours(1), Clock.systemUTC()));
        assertThrows(IllegalArgumentException.class, () -> new StreamTokens(SECRET, Duration.ZERO, Clock.systemUTC()));
    }
}
