package io.execstream.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example, exactly as printed: the first {@code java} block after its
 * "## Embedding" heading is compiled against the test class path (the core and the local
 * adapters) and run in a JVM of its own, whose output and exit are checked.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReadmeEmbeddingSnippetTest {
    private static final Path README = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");
    private static final Pattern SNIPPET = Pattern.compile("\n## Embedding\n.*?```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public (?:final )?class (\\w+)");

    @Test
    void theReadmeSnippetCompilesRunsAndWaitsForTheCommandsEnd(@TempDir Path dir) throws Exception {
        String snippet = snippet();
        Matcher className = CLASS_NAME.matcher(snippet);
        assertTrue(className.find(), "the snippet is a public class with a main");
        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path source = Files.writeString(sources.resolve(className.group(1) + ".java"), snippet);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK, not a JRE, runs the tests");
        StringWriter diagnostics = new StringWriter();
        boolean compiled = javac.getTask(diagnostics, null, null,
                List.of("-classpath", ChildJvm.classPath(), "-d", classes.toString(), "-Xlint:all", "-Werror"),
                null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(source)).call();
        assertTrue(compiled, "the README snippet does not compile:\n" + diagnostics);

        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process run = new ProcessBuilder(ChildJvm.command(classes.toString(), className.group(1)))
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!run.waitFor(60, TimeUnit.SECONDS)) {
            run.destroyForcibly();
            throw new AssertionError("the snippet did not end within 60 s; it wrote:\n" + Files.readString(out));
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        assertEquals(0, run.exitValue(), "stdout:\n" + stdout + "\nstderr:\n" + stderr);
        assertEquals("building\nbuilt\nexit 0 exited\n", stdout, "the command's output, then its end; stderr:\n" + stderr);
        assertTrue(stderr.contains("warning\n"), "stderr goes to stderr:\n" + stderr);
        assertTrue(Files.isDirectory(dir.resolve("workspaces/demo")), "the project's workspace was created");
    }

    private static String snippet() throws Exception {
        Matcher m = SNIPPET.matcher(Files.readString(README));
        assertTrue(m.find(), "README.md has a java block after its \"## Embedding\" heading");
        return m.group(1);
    }
}
