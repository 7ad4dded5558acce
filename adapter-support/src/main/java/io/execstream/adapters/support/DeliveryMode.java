package io.execstream.adapters.support;

/**
 * How a publisher hands its subscribers' deliveries to the delivery executor: a choice about the
 * subscribers, made explicitly in {@link DeliverySettings}, never implied by another setting.
 */
public enum DeliveryMode {
    /**
     * Each subscriber's delivery is a task of its own. Right for subscribers that may block (on a
     * slow client, say): a blocked subscriber holds only its own task's thread. The default.
     */
    TASK_PER_SUBSCRIBER,

    /**
     * Each event's deliveries to all of a stream's subscribers are handed to the executor together,
     * in {@link DeliverySettings#threads()} tasks (more with many subscribers, so that none serves
     * more than 64), each serving a share of the subscribers in turn: far fewer hand-offs and thread
     * wake-ups per event. Only for subscribers whose calls never block (they queue their writes
     * and send them without waiting, as the standalone server's do): a subscriber that blocks
     * holds up the rest of its share. See {@link DeliveryQueue#offerTogether}.
     */
    BATCHED_FOR_NON_BLOCKING_SUBSCRIBERS
}
