package io.execstream.http.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The signature is what the README's openssl recipe computes, and checks only the exact bytes. */
class WebhookSignatureTest {
    private static final String SECRET = "0123456789abcdef-secret";
    private static final byte[] BODY = "{\"event\":\"done\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void isTheHmacSha256OfTheBodyInHexAsOpensslComputesIt() {
        // printf '%s' '{"event":"done"}' | openssl dgst -sha256 -hmac "0123456789abcdef-secret"
        assertEquals("sha256=0beca4a64cd95be38060582b3b9a9ece4d22dd929f2bba9aff60eac37d42c55a",
                new WebhookSignature(SECRET).sign(BODY));
    }

    @Test
    void verifiesTheExactBodyWithTheSameSecretOnly() {
        WebhookSignature signature = new WebhookSignature(SECRET);
        String header = signature.sign(BODY);
        assertTrue(signature.verify(BODY, header));
        assertFalse(signature.verify("{\"event\": \"done\"}".getBytes(StandardCharsets.UTF_8), header), "one more space");
        assertFalse(new WebhookSignature(SECRET + "x").verify(BODY, header));
        assertFalse(signature.verify(BODY, header.substring("sha256=".length())), "without its prefix");
        assertFalse(signature.verify(BODY, header.toUpperCase()));
        assertFalse(signature.verify(BODY, null));
    }

    @Test
    void wantsASecretOfSixteenBytesAndNeverShowsIt() {
        assertThrows(IllegalArgumentException.class, () -> new WebhookSignature("short"));
        assertFalse(new WebhookSignature(SECRET).toString().contains(SECRET));
    }
}
