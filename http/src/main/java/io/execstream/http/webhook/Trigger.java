package io.execstream.http.webhook;

import java.util.Locale;

/**
 * What makes a webhook go out. {@code event} and {@code reason} are the body's (and
 * {@code X-Execstream-Event}'s); {@link #wireName()} names the trigger in {@code --webhook-events}.
 */
public enum Trigger {
    /** A live session's agent asked for permission: a person must allow or deny a tool call. */
    PERMISSION("needs_you", "permission"),
    /** A live session finished its turn and waits for the next message. */
    IDLE("needs_you", "idle"),
    /** The run ended, whatever its status. */
    DONE("done", null);

    private final String event;
    private final String reason;

    Trigger(String event, String reason) {
        this.event = event;
        this.reason = reason;
    }

    /** The body's {@code event}: {@code needs_you} or {@code done}. */
    public String event() {
        return event;
    }

    /** The body's {@code reason}: {@code permission} or {@code idle}; null for {@code done}. */
    public String reason() {
        return reason;
    }

    /** {@code permission}, {@code idle} or {@code done}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The trigger named {@code name}.
     *
     * @throws IllegalArgumentException for any other name, listing the names
     */
    public static Trigger of(String name) {
        for (Trigger t : values()) {
            if (t.wireName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown webhook event '" + name + "': expected permission, idle or done");
    }
}
