package io.execstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link FakeOpenAiApi} over real HTTP: the chat completions wire format an OpenAI-compatible client reads. */
class FakeOpenAiApiTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final FakeOpenAiApi api = FakeOpenAiApi.start();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void close() {
        api.close();
    }

    private HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/chat/completions")).timeout(WAIT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String model, boolean stream, String said) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":" + TestJson.quote(said) + "}]}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"bash\"}}]}";
    }

    /** The JSON of each {@code data:} line but the last, which must be {@code [DONE]}. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> chunks(String sse) {
        List<String> data = sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertEquals("[DONE]", data.get(data.size() - 1));
        return data.subList(0, data.size() - 1).stream().map(d -> (Map<String, Object>) TestJson.parse(d)).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> delta(Map<String, Object> chunk) {
        Map<String, Object> choice = ((List<Map<String, Object>>) chunk.get("choices")).get(0);
        return (Map<String, Object>) choice.get("delta");
    }

    @Test
    void aStreamedReplyIsTextInPiecesThenTheFinishAndUsage() throws Exception {
        api.enqueue(ChatReply.text("Hello from the fake model").usage(30, 7));
        HttpResponse<String> response = post(chat("m", true, "hi"));

        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
        List<Map<String, Object>> chunks = chunks(response.body());
        assertEquals("assistant", delta(chunks.get(0)).get("role"));
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(delta(c).getOrDefault("content", "")));
        assertEquals("Hello from the fake model", text.toString());
        assertTrue(chunks.size() > 3, "in pieces");
        Map<String, Object> last = chunks.get(chunks.size() - 1);
        assertEquals("stop", ((List<Map<String, Object>>) last.get("choices")).get(0).get("finish_reason"));
        assertEquals(Map.of("prompt_tokens", 30L, "completion_tokens", 7L, "total_tokens", 37L), last.get("usage"));

        ChatRequest request = api.requests().get(0);
        assertEquals("hi", request.lastUserText());
        assertTrue(request.stream());
        assertTrue(request.offersTool("bash"));
        assertFalse(request.afterToolResult());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aToolCallStreamsItsNameThenItsArguments() throws Exception {
        api.enqueue(ChatReply.bash("sleep 30", "Waits"));
        List<Map<String, Object>> chunks = chunks(post(chat("m", true, "sleep")).body());

        Map<String, Object> named = ((List<Map<String, Object>>) delta(chunks.get(1)).get("tool_calls")).get(0);
        assertEquals("bash", ((Map<String, Object>) named.get("function")).get("name"));
        assertTrue(((String) named.get("id")).startsWith("call_"));
        Map<String, Object> args = ((List<Map<String, Object>>) delta(chunks.get(2)).get("tool_calls")).get(0);
        assertEquals(Map.of("command", "sleep 30", "description", "Waits"),
                TestJson.parse((String) ((Map<String, Object>) args.get("function")).get("arguments")));
        Map<String, Object> last = chunks.get(chunks.size() - 1);
        assertEquals("tool_calls", ((List<Map<String, Object>>) last.get("choices")).get(0).get("finish_reason"));
    }

    @Test
    void repliesComeFromTheModelsResponderThenTheQueueThenTheFallback() throws Exception {
        api.respondFor("small", r -> ChatReply.text("a title"));
        api.respond(r -> ChatReply.text("echo " + r.lastUserText()));
        api.enqueue(ChatReply.text("queued"));

        assertTrue(post(chat("small", false, "x")).body().contains("\"content\":\"a title\""));
        assertTrue(post(chat("big", false, "x")).body().contains("\"content\":\"queued\""));
        assertTrue(post(chat("big", false, "y")).body().contains("\"content\":\"echo y\""));
        assertEquals(2, api.completions("big").size());
    }

    @Test
    void aHeldReplySendsItsFirstPieceAndWaitsForItsLatch() throws Exception {
        CountDownLatch latch = new CountDownLatch(1);
        api.enqueue(ChatReply.text("slowly but surely").heldUntil(latch));
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(HttpRequest.newBuilder(
                URI.create(api.baseUrl() + "/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(chat("m", true, "go")))
                .build(), HttpResponse.BodyHandlers.ofString());
        api.awaitRequest(r -> r.lastUserText().equals("go"), WAIT);
        assertFalse(pending.isDone(), "held");
        latch.countDown();
        assertTrue(pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body().contains("[DONE]"));
    }

    @Test
    void anErrorReplyIsOpenAisErrorShapeAndOtherRoutesAre404() throws Exception {
        api.enqueue(ChatReply.error(400, "no \"thanks\""));
        HttpResponse<String> refused = post(chat("m", true, "x"));
        assertEquals(400, refused.statusCode());
        assertEquals("no \"thanks\"", ((Map<?, ?>) ((Map<?, ?>) TestJson.parse(refused.body())).get("error")).get("message"));
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/embeddings"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, other.statusCode());
    }
}
