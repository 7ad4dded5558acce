package io.execstream.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * What {@link FakeOpenAiApi} answers to one chat completion: text, calls of tools, token usage,
 * and optionally a hold: the first piece of the answer goes out, then the rest only once a latch
 * opens (or the client goes away), so that a test can act while the model "thinks". Immutable.
 */
public final class ChatReply {
    /** The longest a held reply waits for its latch before it goes on anyway. */
    public static final Duration MAX_HOLD = Duration.ofSeconds(60);

    /** One call of a tool: its name and its arguments, a JSON object as text. */
    public record ToolCall(String name, String arguments) {
        public ToolCall {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arguments, "arguments");
        }
    }

    private final String text;
    private final List<ToolCall> toolCalls;
    private final CountDownLatch hold;
    private final long promptTokens;
    private final long completionTokens;
    private final int status;

    private ChatReply(String text, List<ToolCall> toolCalls, CountDownLatch hold, long promptTokens,
                      long completionTokens, int status) {
        this.text = text;
        this.toolCalls = List.copyOf(toolCalls);
        this.hold = hold;
        this.promptTokens = promptTokens;
        this.completionTokens = completionTokens;
        this.status = status;
    }

    /** An answer of {@code text}, with 1000 prompt tokens and 100 completion tokens. */
    public static ChatReply text(String text) {
        return new ChatReply(Objects.requireNonNull(text, "text"), List.of(), null, 1000, 100, 200);
    }

    /** A call of tool {@code name} with {@code argumentsJson}, a JSON object. */
    public static ChatReply toolCall(String name, String argumentsJson) {
        return text("").andToolCall(name, argumentsJson);
    }

    /** A call of OpenCode's bash tool running {@code command}. */
    public static ChatReply bash(String command, String description) {
        return toolCall("bash", "{\"command\":" + TestJson.quote(command) + ",\"description\":"
                + TestJson.quote(description) + "}");
    }

    /** What the model says to a message that starts the work of {@link #runWhatIsAsked}. */
    public static final String RUN = "run: ";

    /**
     * A model that runs commands when told: for a message with {@code "run: CMD"} it calls bash with
     * {@code CMD}; after the tool's result it says {@code "The tool said: RESULT"}; else
     * {@code "You said: MESSAGE"}. For {@link FakeOpenAiApi#respond}.
     */
    public static ChatReply runWhatIsAsked(ChatRequest request) {
        if (request.afterToolResult()) {
            return text("The tool said: " + request.toolResult());
        }
        String said = request.lastUserText();
        int at = said.indexOf(RUN);
        return at >= 0 ? bash(said.substring(at + RUN.length()), "Runs what was asked") : text("You said: " + said);
    }

    /** A refusal: HTTP {@code status} with an OpenAI-style error body saying {@code message}. */
    public static ChatReply error(int status, String message) {
        return new ChatReply(message, List.of(), null, 0, 0, status);
    }

    /** This reply with a call of tool {@code name} after its text. */
    public ChatReply andToolCall(String name, String argumentsJson) {
        List<ToolCall> calls = new ArrayList<>(toolCalls);
        calls.add(new ToolCall(name, argumentsJson));
        return new ChatReply(text, calls, hold, promptTokens, completionTokens, status);
    }

    /** This reply held after its first piece until {@code latch} opens (at most {@link #MAX_HOLD}). */
    public ChatReply heldUntil(CountDownLatch latch) {
        return new ChatReply(text, toolCalls, Objects.requireNonNull(latch, "latch"), promptTokens, completionTokens, status);
    }

    /** This reply reporting {@code prompt} and {@code completion} tokens. */
    public ChatReply usage(long prompt, long completion) {
        return new ChatReply(text, toolCalls, hold, prompt, completion, status);
    }

    public String text() {
        return text;
    }

    public List<ToolCall> toolCalls() {
        return toolCalls;
    }

    /** The latch the reply waits for after its first piece; null when it is not held. */
    public CountDownLatch hold() {
        return hold;
    }

    public long promptTokens() {
        return promptTokens;
    }

    public long completionTokens() {
        return completionTokens;
    }

    /** The HTTP status: 200, or that of an {@link #error}. */
    public int status() {
        return status;
    }
}
