package io.execstream.adapters.redis;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;

/**
 * The names of the Redis keys of one deployment, all under one prefix. The Lua scripts build
 * some of them from the prefix too ({@code s:}, {@code e:}, {@code p:}, {@code n:}, {@code c:}): keep both in step.
 * Every key the Java side uses is named here. Immutable, so used by every thread.
 */
final class Keys {
    final String prefix;

    Keys(String prefix) {
        this.prefix = prefix;
    }

    /** Hash: a stream's metadata and its sequence counter. */
    String meta(StreamId stream) {
        return meta(stream.value());
    }

    /** {@link #meta(StreamId)} of an id as an index ({@code p:}, {@code finished}) holds it. */
    String meta(String stream) {
        return prefix + "s:" + stream;
    }

    /** Stream: a stream's events, entry ids {@code N-0}. */
    String events(StreamId stream) {
        return prefix + "e:" + stream.value();
    }

    /** The stream whose {@link #events} key is {@code eventsKey}. */
    StreamId streamOfEvents(String eventsKey) {
        return new StreamId(eventsKey.substring(prefix.length() + 2));
    }

    /** Sorted set: a project's streams by start time (epoch millis). */
    String project(ProjectId project) {
        return prefix + "p:" + project.value();
    }

    /** Set: the running streams a node opened. */
    String running(String node) {
        return prefix + "n:" + node;
    }

    /** Sorted set: node id by lease expiry (Redis server time, epoch millis). */
    String nodes() {
        return prefix + "nodes";
    }

    /** Sorted set: finished streams in the order they finished. */
    String finished() {
        return prefix + "finished";
    }

    /** String counter: source of the order of {@link #finished()}. */
    String finishOrder() {
        return prefix + "finish-order";
    }

    /** String counter: history bytes held by all streams. */
    String totalBytes() {
        return prefix + "history-bytes";
    }

    /** Hash: stream id to the history bytes it holds (outlives the stream's own keys). */
    String streamBytes() {
        return prefix + "stream-bytes";
    }

    /**
     * Stream: the control requests (input, messages, interrupts, ends) for the streams a node runs,
     * oldest first; the node reads it from the last entry it handled and trims what it handled.
     */
    String controls(String node) {
        return prefix + "c:" + node;
    }

    /**
     * String: the number of the last control request a sender (one run of one node) added, so that
     * a request it sends again, not knowing whether the first attempt got through, is added once.
     */
    String controlsSent(String sender) {
        return prefix + "c-sent:" + sender;
    }

    /** Pub/sub channel of cancel requests; messages are stream ids. */
    /** The pub/sub channel of a project's stream lifecycle ({@link RedisProjectFeed}). */
    String feedChannel(ProjectId project) {
        return prefix + "feed:" + project.value();
    }

    /** The pattern of every project's feed channel. */
    String feedChannels() {
        return prefix + "feed:*";
    }

    String cancelChannel() {
        return prefix + "cancel";
    }
}
