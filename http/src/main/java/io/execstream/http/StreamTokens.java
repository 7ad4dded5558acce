package io.execstream.http;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks stream tokens: read-only capabilities for one stream, carried in
 * {@code stream_url} so that a browser's EventSource, which cannot send {@code X-API-Key}, can
 * subscribe.
 *
 * <p>A token is {@code EXPIRY.MAC}: the expiry in epoch seconds (base 36), and an HMAC-SHA256 of
 * a version tag, the project id, the stream id and that expiry, in unpadded base64url. It opens
 * that stream's events and nothing else, until the expiry or until the stream leaves retention,
 * whichever comes first. Changing the expiry breaks the MAC, so a token cannot be extended.
 *
 * <p>Immutable and thread-safe.
 */
public final class StreamTokens {
    /** What {@link #check} found. */
    public enum Verdict { VALID, EXPIRED, INVALID }

    private static final String VERSION = "execstream-stream-v2";
    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    /**
     * @param secret at least 16 bytes
     * @param ttl    how long an issued token stays valid; positive
     * @param clock  the time tokens are issued and checked at
     */
    public StreamTokens(byte[] secret, Duration ttl, Clock clock) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("--token-secret must be at least 16 bytes");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("--token-ttl must be positive");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A secret for this run only. */
    public static StreamTokens random(Duration ttl) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new StreamTokens(secret, ttl, Clock.systemUTC());
    }

    /** A token for {@code stream}, valid for the configured time from now. */
    public String issue(ProjectId project, StreamId stream) {
        // Rounded up to the whole second: a token is good for at least its ttl, never less (cut
        // down, a 1 s token issued late in a second would be good for a few milliseconds only).
        Instant end = clock.instant().plus(ttl);
        long expiry = end.getEpochSecond() + (end.getNano() > 0 ? 1 : 0);
        return Long.toString(expiry, 36) + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(project, stream, expiry));
    }

    /**
     * Whether {@code token} opens {@code stream}. The MAC is checked before the expiry, so a
     * forged token is {@link Verdict#INVALID} whatever expiry it claims.
     */
    public Verdict check(ProjectId project, StreamId stream, String token) {
        if (token == null) {
            return Verdict.INVALID;
        }
        int dot = token.indexOf('.');
        if (dot < 1 || dot > 13) {
            return Verdict.INVALID;
        }
        long expiry;
        byte[] presented;
        try {
            expiry = Long.parseLong(token.substring(0, dot), 36);
            presented = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Verdict.INVALID;
        }
        if (!MessageDigest.isEqual(mac(project, stream, expiry), presented)) {
            return Verdict.INVALID;
        }
        return clock.instant().getEpochSecond() < expiry ? Verdict.VALID : Verdict.EXPIRED;
    }

    private byte[] mac(ProjectId project, StreamId stream, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal((VERSION + "\n" + project.value() + "\n" + stream.value() + "\n" + expiry)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }
}
