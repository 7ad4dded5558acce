package io.execstream.adapters.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/** A Lua script run by its SHA-1, loaded again when the server does not know it (after a restart). */
final class Script {
    private final String source;
    private final String sha;

    Script(String source) {
        this.source = source;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            this.sha = HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    Object run(Jedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return jedis.eval(source, keys, args);
        }
    }

    /**
     * Queues the script in {@code pipeline} by its SHA-1; its response fails with
     * {@link JedisNoScriptException} if the server does not know it: {@link #load} it, then send again.
     */
    Response<Object> queue(Pipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.evalsha(sha, keys, args);
    }

    /** Makes the server know the script (after a restart or a {@code SCRIPT FLUSH}). */
    void load(Jedis jedis) {
        jedis.scriptLoad(source);
    }
}
