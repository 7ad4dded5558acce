package io.execstream.http.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook: {@code sha256=} and the lower-case hex of the HMAC-SHA256 of the
 * exact body bytes, keyed with the webhook secret's UTF-8 bytes, in {@link #HEADER}. The body
 * holds {@code delivery_id} and {@code at}, so both are signed; the other headers are not.
 */
public final class WebhookSignature {
    /** The header that carries the signature. */
    public static final String HEADER = "X-Execstream-Signature";
    /** When this attempt was sent, in whole seconds since the epoch (not signed; {@code at} in the body is). */
    public static final String TIMESTAMP_HEADER = "X-Execstream-Timestamp";
    /** The delivery's id, the same on every attempt, as {@code delivery_id} in the body. */
    public static final String DELIVERY_HEADER = "X-Execstream-Delivery";
    /** The event: {@code needs_you} or {@code done}, as {@code event} in the body. */
    public static final String EVENT_HEADER = "X-Execstream-Event";
    private static final String PREFIX = "sha256=";

    private final SecretKeySpec key;

    /** Signs with {@code secret}; at least 16 bytes of UTF-8. */
    public WebhookSignature(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 16) {
            throw new IllegalArgumentException("the webhook secret must be at least 16 bytes");
        }
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** The value of {@link #HEADER} for {@code body}. */
    public String sign(byte[] body) {
        return PREFIX + HexFormat.of().formatHex(mac(body));
    }

    /** Whether {@code header} is the signature of {@code body}, compared in constant time. */
    public boolean verify(byte[] body, String header) {
        if (header == null || !header.startsWith(PREFIX)) {
            return false;
        }
        return MessageDigest.isEqual(sign(body).getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] mac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // Every JDK has HmacSHA256, and any byte key suits it.
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSignature[secret hidden]";
    }
}
