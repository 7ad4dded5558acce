package io.execstream.adapters.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script run by its SHA-1, loaded again when the server does not know it (after a restart).
 * Its keys and arguments are text, or bytes where a value is not text to Java (an output's
 * content, kept as the UTF-8 it was read as).
 */
final class Script {
    private final String source;
    private final String sha;
    private final byte[] binarySha;

    Script(String source) {
        this.source = source;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            this.sha = HexFormat.of().formatHex(digest);
            this.binarySha = sha.getBytes(StandardCharsets.US_ASCII);
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

    /** {@link #run(Jedis, List, List)} with keys and arguments as bytes. */
    Object runBinary(Jedis jedis, List<byte[]> keys, List<byte[]> args) {
        try {
            return jedis.evalsha(binarySha, keys, args);
        } catch (JedisNoScriptException e) {
            return jedis.eval(source.getBytes(StandardCharsets.UTF_8), keys, args);
        }
    }

    /**
     * {@link #queue(Pipeline, List, List)} with keys and arguments as bytes, which are sent as they
     * are: the caller must not change them until the pipeline is synced. (Jedis's own
     * {@code evalsha} copies every {@code byte[]} argument, which for output is a second copy of
     * every byte written.)
     */
    Response<Object> queueBinary(Pipeline pipeline, List<byte[]> keys, List<byte[]> args) {
        CommandArguments command = new CommandArguments(Protocol.Command.EVALSHA).add(binarySha).add(keys.size());
        for (byte[] key : keys) {
            command.key(key);
        }
        for (byte[] arg : args) {
            command.add((Rawable) () -> arg);
        }
        return pipeline.sendCommand(command);
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
