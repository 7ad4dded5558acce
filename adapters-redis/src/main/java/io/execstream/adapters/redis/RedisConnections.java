package io.execstream.adapters.redis;

import io.execstream.domain.UnavailableException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The pool of connections to one Redis server, and dedicated connections for blocking reads.
 * Used by every thread of the publisher; the pool is thread-safe, and each call holds a connection
 * only while it runs. A dedicated connection belongs to the one thread that asked for it.
 */
final class RedisConnections implements AutoCloseable {
    static final int CONNECT_TIMEOUT_MS = 2000;
    static final int SOCKET_TIMEOUT_MS = 5000;

    private final URI uri;
    private final String shownUri;
    private final JedisPool pool;

    RedisConnections(URI uri, int maxConnections) {
        this.uri = uri;
        this.shownUri = redact(uri);
        GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(maxConnections);
        config.setMaxIdle(maxConnections);
        config.setMinIdle(0);
        config.setMaxWait(Duration.ofMillis(SOCKET_TIMEOUT_MS));
        config.setJmxEnabled(false);
        this.pool = new JedisPool(config, uri, CONNECT_TIMEOUT_MS, SOCKET_TIMEOUT_MS);
    }

    /** The URI without its password, fit for messages and logs. */
    String shownUri() {
        return shownUri;
    }

    /**
     * Runs {@code action} on a pooled connection. A lost connection empties the pool of its idle
     * ones: after a Redis restart or a network drop they are all as dead, and each would fail its
     * next use, so one failure each would reach the callers after Redis is back.
     */
    <T> T call(Function<Jedis, T> action) {
        try (Jedis jedis = pool.getResource()) {
            return action.apply(jedis);
        } catch (JedisConnectionException e) {
            pool.clear();
            throw e;
        }
    }

    /** One field of each of {@code hashes} (null where it has none), in one round trip. */
    List<String> hget(List<String> hashes, String field) {
        return call(j -> {
            Pipeline p = j.pipelined();
            List<Response<String>> responses = new ArrayList<>(hashes.size());
            for (String hash : hashes) {
                responses.add(p.hget(hash, field));
            }
            p.sync();
            return responses.stream().map(Response::get).toList();
        });
    }

    /**
     * Runs a read-only {@code action}, retrying once on a transient error (a pooled connection
     * broken by a Redis restart fails its first use); a lasting failure becomes an
     * {@link UnavailableException} that says Redis is unavailable.
     */
    <T> T read(Function<Jedis, T> action) {
        try {
            return call(action);
        } catch (JedisException e) {
            if (!isTransient(e)) {
                throw e;
            }
            try {
                return call(action);
            } catch (JedisException again) {
                throw unavailable(again);
            }
        }
    }

    /**
     * The exception for a Redis that cannot be used now: an {@link UnavailableException} (a
     * client answered 503 may try again) for a lost connection or a busy server, else an
     * {@link IllegalStateException}.
     */
    RuntimeException unavailable(RuntimeException cause) {
        return isTransient(cause)
                ? new UnavailableException("Redis at " + shownUri + " is unavailable: " + describe(cause), cause)
                : new IllegalStateException("Redis at " + shownUri + " failed: " + describe(cause), cause);
    }

    /** A connection of its own, for a blocking read or a subscription; the caller closes it. */
    Jedis dedicated() {
        return new Jedis(uri, CONNECT_TIMEOUT_MS, SOCKET_TIMEOUT_MS);
    }

    /** Whether {@code e} is an error of the moment: connection lost, server loading or busy. */
    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JedisConnectionException || t instanceof IOException) {
                return true;
            }
            if (t instanceof JedisDataException && t.getMessage() != null) {
                String m = t.getMessage();
                if (m.startsWith("LOADING") || m.startsWith("BUSY") || m.startsWith("MASTERDOWN")
                        || m.startsWith("TRYAGAIN") || m.startsWith("READONLY")) {
                    return true;
                }
            }
            if (t instanceof JedisException && t.getMessage() != null
                    && t.getMessage().startsWith("Could not get a resource")) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message of {@code e}'s causes, for a person. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : e.getMessage();
        return message != null ? message : root.getClass().getSimpleName();
    }

    static String redact(URI uri) {
        String host = uri.getHost() == null ? "?" : uri.getHost();
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath();
        String user = uri.getUserInfo() == null ? "" : "***@";
        return uri.getScheme() + "://" + user + host + port + path;
    }

    @Override
    public void close() {
        pool.close();
    }
}
