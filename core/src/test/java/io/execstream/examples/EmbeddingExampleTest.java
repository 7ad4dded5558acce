package io.execstream.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingExampleTest {
    @Test
    void theReadmeExampleRunsACommandAndStreamsItsOutput(@TempDir Path workspaces) throws Exception {
        StringBuilder out = new StringBuilder();
        assertEquals(0, EmbeddingExample.run(workspaces, out));
        String text = out.toString();
        assertTrue(text.contains("stdout: building\n"), text);
        assertTrue(text.contains("stderr: warning\n"), text);
        assertTrue(Files.isDirectory(workspaces.resolve("demo")), "the project's workspace was created");
    }
}
