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
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks stream tokens: read-only capabilities for one stream, carried in
 * {@code stream_url} so that a browser's EventSource, which cannot send {@code X-API-Key}, can
 * subscribe.
 *
 * <p>A token is {@code EXPIRY.KEY.MAC}: the expiry in epoch seconds (base 36); the key id, a
 * fingerprint of the secret that signed it (a MAC of a fixed label, so it tells nothing of the
 * secret); and an HMAC-SHA256 of a version tag, the key id, the project id, the stream id and the
 * expiry, in unpadded base64url. It opens that stream's events and nothing else, until the expiry
 * or until the stream leaves retention, whichever comes first. Changing the expiry breaks the
 * MAC, so a token cannot be extended.
 *
 * <p>The key id tells a token signed with another secret ({@link Verdict#FOREIGN}: another node's,
 * or this server's before a restart, the secret being random at each start unless one is given)
 * from a token of this secret that does not open the stream ({@link Verdict#INVALID}). Every part
 * must be in its one canonical form (base 36 in lower case without a sign or leading zeros,
 * base64url without padding or stray bits), so a token is accepted as exactly one string.
 *
 * <p>A control token ({@link #issueControl}) opens the same stream's events and viewer page, and
 * also lets its holder act on that one stream (messages, input, interrupt, close, answers to
 * requests for permission, cancel) in the name of the key that asked for it. It is
 * {@code EXPIRY.KEY.ISSUER.MAC}: the issuer, the asking key's name in base64url, is signed with
 * the rest under a version tag of its own, so neither kind of token can pass for the other, and
 * its lifetime is a separate, short one.
 *
 * <p>Immutable and thread-safe.
 */
public final class StreamTokens {
    /** What {@link #check} found. */
    public enum Verdict {
        VALID,
        /** Signed with this secret for this stream, and past its expiry. */
        EXPIRED,
        /** Malformed, or signed with this secret but not for this stream (or tampered with). */
        INVALID,
        /**
         * A well-formed token signed with another secret, or of the form an earlier version
         * issued: made by another server, or by this one before a restart. This server can say
         * nothing else about it.
         */
        FOREIGN
    }

    /**
     * What {@link #verify} found: the verdict, and for a valid control token the name of the key
     * that asked for it (null for a read-only token, or when not valid).
     */
    public record Checked(Verdict verdict, String issuer) {
        /** Whether this is a valid control token. */
        public boolean controls() {
            return verdict == Verdict.VALID && issuer != null;
        }
    }

    /** A control token and when it stops opening anything. */
    public record Control(String token, Instant expiresAt) {
    }

    /** How long a control token is good for unless told otherwise: short, as it lets its holder act. */
    public static final Duration DEFAULT_CONTROL_TTL = Duration.ofMinutes(15);

    private static final String VERSION = "execstream-stream-v3";
    private static final String CONTROL_VERSION = "execstream-control-v1";
    private static final String KEY_ID_LABEL = "execstream-key-id";
    private static final int KEY_ID_BYTES = 6;
    private static final int MAC_BYTES = 32;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Pattern PARTS = Pattern.compile("([0-9a-z]{1,13})(?:\\.([A-Za-z0-9_-]+))?\\.([A-Za-z0-9_-]+)");
    private static final Pattern CONTROL_PARTS =
            Pattern.compile("([0-9a-z]{1,13})\\.([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]{1,128})\\.([A-Za-z0-9_-]+)");

    private final SecretKeySpec key;
    private final String keyId;
    private final Duration ttl;
    private final Duration controlTtl;
    private final Clock clock;

    /**
     * @param secret at least 16 bytes
     * @param ttl    how long an issued token stays valid; positive
     * @param clock  the time tokens are issued and checked at
     */
    public StreamTokens(byte[] secret, Duration ttl, Clock clock) {
        this(secret, ttl, DEFAULT_CONTROL_TTL, clock);
    }

    /**
     * @param secret     at least 16 bytes
     * @param ttl        how long an issued read-only token stays valid; positive
     * @param controlTtl how long an issued control token stays valid; positive
     * @param clock      the time tokens are issued and checked at
     */
    public StreamTokens(byte[] secret, Duration ttl, Duration controlTtl, Clock clock) {
        if (controlTtl.isNegative() || controlTtl.isZero()) {
            throw new IllegalArgumentException("--control-token-ttl must be positive");
        }
        if (secret.length < 16) {
            throw new IllegalArgumentException("--token-secret must be at least 16 bytes");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("--token-ttl must be positive");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.keyId = BASE64URL.encodeToString(Arrays.copyOf(mac(KEY_ID_LABEL), KEY_ID_BYTES));
        this.ttl = ttl;
        this.controlTtl = controlTtl;
        this.clock = clock;
    }

    /** A secret for this run only. */
    public static StreamTokens random(Duration ttl) {
        return random(ttl, DEFAULT_CONTROL_TTL);
    }

    /** A secret for this run only, with control tokens good for {@code controlTtl}. */
    public static StreamTokens random(Duration ttl, Duration controlTtl) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new StreamTokens(secret, ttl, controlTtl, Clock.systemUTC());
    }

    /** A token for {@code stream}, valid for the configured time from now. */
    public String issue(ProjectId project, StreamId stream) {
        return issue(project, stream.value(), ttl);
    }

    /**
     * A read-only token of the same form for {@code subject} of {@code project}, valid for
     * {@code lifetime} (at most the configured time) from now: for capabilities other than a
     * stream's (a project's console), whose subject is a string no stream id can be (it holds a
     * character stream ids do not), so that neither token opens what the other does.
     * {@link #check(ProjectId, String, String)} checks it.
     */
    String issue(ProjectId project, String subject, Duration lifetime) {
        long expiry = expiry(lifetime.compareTo(ttl) < 0 ? lifetime : ttl);
        return Long.toString(expiry, 36) + "." + keyId + "." + BASE64URL.encodeToString(mac(project, subject, expiry));
    }

    /**
     * A control token for {@code stream}, valid for the control tokens' time from now, which acts
     * in the name of {@code issuer} (the asking key's name, never the key).
     */
    public Control issueControl(ProjectId project, StreamId stream, String issuer) {
        if (issuer == null || issuer.isEmpty()) {
            throw new IllegalArgumentException("a control token needs the name of the key that asks for it");
        }
        long expiry = expiry(controlTtl);
        String name = BASE64URL.encodeToString(issuer.getBytes(StandardCharsets.UTF_8));
        String token = Long.toString(expiry, 36) + "." + keyId + "." + name + "."
                + BASE64URL.encodeToString(controlMac(project, stream, expiry, issuer));
        return new Control(token, Instant.ofEpochSecond(expiry));
    }

    /**
     * The expiry of a token issued now and good for {@code lifetime}, in epoch seconds. Rounded up
     * to the whole second: a token is good for at least its lifetime, never less (cut down, a 1 s
     * token issued late in a second would be good for a few milliseconds only).
     */
    private long expiry(Duration lifetime) {
        Instant end = clock.instant().plus(lifetime);
        return end.getEpochSecond() + (end.getNano() > 0 ? 1 : 0);
    }

    /**
     * What {@code token} is for {@code stream}: a read-only token or a control token, each checked
     * as {@link #check} says; a valid control token comes with the name it acts in.
     */
    public Checked verify(ProjectId project, StreamId stream, String token) {
        Matcher parts = token == null ? null : CONTROL_PARTS.matcher(token);
        if (parts == null || !parts.matches()) {
            return new Checked(check(project, stream, token), null);
        }
        long expiry = canonicalExpiry(parts.group(1));
        byte[] name = canonicalBase64(parts.group(3), -1);
        byte[] presented = canonicalBase64(parts.group(4), MAC_BYTES);
        if (expiry <= 0 || name == null || presented == null || canonicalBase64(parts.group(2), KEY_ID_BYTES) == null) {
            return new Checked(Verdict.INVALID, null);
        }
        if (!keyId.equals(parts.group(2))) {
            return new Checked(Verdict.FOREIGN, null);
        }
        String issuer = new String(name, StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(controlMac(project, stream, expiry, issuer), presented)) {
            return new Checked(Verdict.INVALID, null);
        }
        return clock.instant().getEpochSecond() < expiry ? new Checked(Verdict.VALID, issuer) : new Checked(Verdict.EXPIRED, null);
    }

    /**
     * Whether {@code token}, a read-only token, opens {@code stream} ({@link #verify} also takes
     * control tokens). The MAC is checked before the expiry, so a
     * forged token is {@link Verdict#INVALID} whatever expiry it claims; the MAC is compared in
     * constant time.
     */
    public Verdict check(ProjectId project, StreamId stream, String token) {
        return check(project, stream.value(), token);
    }

    /** Whether {@code token} opens {@code subject} of {@code project}, as {@link #issue(ProjectId, String, Duration)} made it. */
    Verdict check(ProjectId project, String subject, String token) {
        Matcher parts = token == null ? null : PARTS.matcher(token);
        if (parts == null || !parts.matches()) {
            return Verdict.INVALID;
        }
        long expiry = canonicalExpiry(parts.group(1));
        byte[] presented = canonicalBase64(parts.group(3), MAC_BYTES);
        String presentedKeyId = parts.group(2);
        if (expiry <= 0 || presented == null
                || (presentedKeyId != null && canonicalBase64(presentedKeyId, KEY_ID_BYTES) == null)) {
            return Verdict.INVALID;
        }
        if (!keyId.equals(presentedKeyId)) {
            return Verdict.FOREIGN;
        }
        if (!MessageDigest.isEqual(mac(project, subject, expiry), presented)) {
            return Verdict.INVALID;
        }
        return clock.instant().getEpochSecond() < expiry ? Verdict.VALID : Verdict.EXPIRED;
    }

    /** The expiry in its one base-36 form, or -1 (the pattern has already kept signs and upper case out). */
    private static long canonicalExpiry(String text) {
        try {
            long expiry = Long.parseLong(text, 36);
            return Long.toString(expiry, 36).equals(text) ? expiry : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The bytes of unpadded base64url {@code text} of {@code length} bytes (any number for -1), if it is their one
     * encoding: decoded, encoded again, and equal (a decoder ignores the unused bits of the last
     * character, so several strings decode alike); else null.
     */
    private static byte[] canonicalBase64(String text, int length) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(text);
            return (length < 0 || bytes.length == length) && BASE64URL.encodeToString(bytes).equals(text) ? bytes : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private byte[] mac(ProjectId project, String subject, long expiry) {
        return mac(VERSION + "\n" + keyId + "\n" + project.value() + "\n" + subject + "\n" + expiry);
    }

    private byte[] controlMac(ProjectId project, StreamId stream, long expiry, String issuer) {
        return mac(CONTROL_VERSION + "\n" + keyId + "\n" + project.value() + "\n" + stream.value() + "\n" + expiry
                + "\n" + issuer);
    }

    private byte[] mac(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }
}
