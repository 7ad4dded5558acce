package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
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
        assertEquals(StreamTokens.Verdict.FOREIGN, otherSecret.check(PROJECT, STREAM, token));
    }

    /**
     * A server without --token-secret signs with a new random secret at each start: the tokens of
     * an earlier start are told apart from tokens that are simply wrong, so that a client can be
     * told its stream is from another server start rather than that its token is invalid.
     */
    @Test
    void aTokenOfAnotherSecretIsForeignWhateverItClaims() {
        StreamTokens before = StreamTokens.random(Duration.ofHours(1));
        StreamTokens after = StreamTokens.random(Duration.ofHours(1));
        String token = before.issue(PROJECT, STREAM);
        assertEquals(StreamTokens.Verdict.VALID, before.check(PROJECT, STREAM, token));
        assertEquals(StreamTokens.Verdict.FOREIGN, after.check(PROJECT, STREAM, token));
        assertEquals(StreamTokens.Verdict.FOREIGN, after.check(ProjectId.of("other"), STREAM, token));
        // The form of tokens before key ids (EXPIRY.MAC) can only come from an earlier start.
        String twoParts = token.substring(0, token.indexOf('.')) + token.substring(token.lastIndexOf('.'));
        assertEquals(StreamTokens.Verdict.FOREIGN, before.check(PROJECT, STREAM, twoParts));
        // Our key id on another secret's token: this secret's, and wrong.
        String ours = at(NOW, Duration.ofHours(1)).issue(PROJECT, STREAM);
        String mixed = part(token, 0) + "." + part(ours, 1) + "." + part(token, 2);
        assertEquals(StreamTokens.Verdict.INVALID, at(NOW, Duration.ofHours(1)).check(PROJECT, STREAM, mixed));
    }

    /** Each part has one accepted spelling: the token is compared as the exact string it was issued as. */
    @Test
    void onlyTheCanonicalFormIsAccepted() {
        StreamTokens tokens = at(NOW, Duration.ofHours(1));
        String token = tokens.issue(PROJECT, STREAM);
        assertEquals(StreamTokens.Verdict.VALID, tokens.check(PROJECT, STREAM, token));
        String expiry = part(token, 0);
        String keyId = part(token, 1);
        String mac = part(token, 2);
        assertEquals(43, mac.length(), "32 bytes, unpadded");
        List<String> spellings = new ArrayList<>(List.of(
                token + "=", token + "==", expiry + "." + keyId + "." + mac + "%3D",
                "0" + token, "+" + token, expiry.toUpperCase(Locale.ROOT) + "." + keyId + "." + mac,
                expiry + "." + keyId + "=." + mac, expiry + "." + keyId + "." + mac + "A",
                expiry + "." + keyId + "." + mac.substring(0, 42), " " + token, token + " ",
                expiry + ".." + keyId + "." + mac, token + "." + mac));
        // The last character of 32 bytes in base64 carries 4 bits and 2 unused ones, which a
        // decoder ignores: the same MAC with other unused bits.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(mac.charAt(42));
        for (int unused = 1; unused < 4; unused++) {
            spellings.add(expiry + "." + keyId + "." + mac.substring(0, 42) + alphabet.charAt((last & ~3) | unused));
        }
        for (String spelling : spellings) {
            assertEquals(StreamTokens.Verdict.INVALID, tokens.check(PROJECT, STREAM, spelling), spelling);
        }
    }

    private static String part(String token, int index) {
        return token.split("\\.")[index];
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
        String unsigned = token.substring(0, token.lastIndexOf('.') + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
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

    @Test
    void aControlTokenCarriesItsIssuerAndIsNoReadTokenAndViceVersa() {
        ProjectId p = ProjectId.of("alpha");
        StreamId s = STREAM;
        StreamTokens tokens = new StreamTokens(SECRET, Duration.ofHours(1), Duration.ofMinutes(15), Clock.fixed(NOW, ZoneOffset.UTC));
        StreamTokens.Control control = tokens.issueControl(p, s, "ops.team@example");
        assertEquals(NOW.plus(Duration.ofMinutes(15)).getEpochSecond(), control.expiresAt().getEpochSecond());
        StreamTokens.Checked checked = tokens.verify(p, s, control.token());
        assertTrue(checked.controls());
        assertEquals("ops.team@example", checked.issuer());
        // It opens its stream (verify), and nothing else; check takes read-only tokens alone.
        assertEquals(StreamTokens.Verdict.INVALID, tokens.check(p, s, control.token()));
        assertEquals(StreamTokens.Verdict.INVALID, tokens.verify(p, StreamId.of("0123456789abcdef01234568"), control.token()).verdict());
        assertEquals(StreamTokens.Verdict.INVALID, tokens.verify(ProjectId.of("beta"), s, control.token()).verdict());
        // A read token does not control; another issuer breaks the MAC.
        assertFalse(tokens.verify(p, s, tokens.issue(p, s)).controls());
        String[] parts = control.token().split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString("admin".getBytes(StandardCharsets.UTF_8)) + "." + parts[3];
        assertEquals(StreamTokens.Verdict.INVALID, tokens.verify(p, s, forged).verdict());
        StreamTokens later = new StreamTokens(SECRET, Duration.ofHours(1), Duration.ofMinutes(15),
                Clock.fixed(NOW.plus(Duration.ofMinutes(16)), ZoneOffset.UTC));
        assertEquals(StreamTokens.Verdict.EXPIRED, later.verify(p, s, control.token()).verdict());
        assertThrows(IllegalArgumentException.class, () -> new StreamTokens(SECRET, Duration.ofHours(1), Duration.ZERO,
                Clock.systemUTC()));
    }
}
