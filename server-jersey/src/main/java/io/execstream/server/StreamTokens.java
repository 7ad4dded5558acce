package io.execstream.server;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks stream tokens: read-only capabilities for one stream, carried in
 * {@code stream_url} so that a browser's EventSource, which cannot send {@code X-API-Key}, can
 * subscribe. A token is an HMAC-SHA256 of the project and stream ids; it opens that stream's
 * events and nothing else, and it lapses with the stream, which is not found once its retention
 * has passed.
 */
final class StreamTokens {
    private final SecretKeySpec key;

    StreamTokens(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("--token-secret must be at least 16 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /** A secret for this run only. */
    static StreamTokens random() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new StreamTokens(secret);
    }

    String issue(ProjectId project, StreamId stream) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(project, stream));
    }

    boolean verify(ProjectId project, StreamId stream, String token) {
        if (token == null) {
            return false;
        }
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(project, stream), presented);
    }

    private byte[] mac(ProjectId project, StreamId stream) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(("execstream-stream-v1\n" + project.value() + "\n" + stream.value())
                    .getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }
}
