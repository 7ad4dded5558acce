package io.execstream.server;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A plug-in as an adapter author ships one: Java source compiled at test time against the
 * {@code ports} classes (from the test's class path, as a plug-in's build would take them from
 * {@code execstream-ports}), packed in a jar with its {@code META-INF/services} file. Nothing of it
 * is on the server's class path: only {@code --plugins} brings it in.
 */
final class PluginJar {
    private PluginJar() {
    }

    /**
     * A runner provider named {@code name}, in class {@code org.example.plugin.<className>}. Its
     * runner answers every command with one stdout line, {@code GREETING from PROJECT: ARGV}, where
     * GREETING is its option {@code greeting} (default {@code hello}), and exits 0.
     */
    static Path echoRunner(Path pluginsDir, String jarName, String name, String className) throws IOException {
        String source = """
                package org.example.plugin;

                import io.execstream.ports.CommandExit;
                import io.execstream.ports.CommandRunner;
                import io.execstream.domain.OutputType;
                import io.execstream.ports.plugin.AdapterContext;
                import io.execstream.ports.plugin.AdapterOption;
                import io.execstream.ports.plugin.CommandRunnerProvider;
                import java.nio.ByteBuffer;
                import java.nio.charset.StandardCharsets;
                import java.util.List;

                public final class CLASS implements CommandRunnerProvider {
                    @Override public String name() { return "NAME"; }
                    @Override public String description() { return "answers every command with a greeting"; }
                    @Override public List<AdapterOption> options() {
                        return List.of(AdapterOption.of("greeting", "hello", "the word each answer starts with"));
                    }
                    @Override public CommandRunner create(AdapterContext context) {
                        String greeting = context.options().string("greeting");
                        return (project, spec, listener) -> {
                            // Output and exit come on a thread of the runner's own, as the port asks.
                            Thread answer = new Thread(() -> {
                                String line = greeting + " from " + project.value() + ": "
                                        + String.join(" ", spec.command().toArgv()) + "\\n";
                                listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
                                listener.onExit(new CommandExit.Exited(0));
                            }, "echo-plugin");
                            answer.setDaemon(true);
                            answer.start();
                            return () -> { };
                        };
                    }
                }
                """.replace("CLASS", className).replace("NAME", name);
        return build(pluginsDir, jarName, "org.example.plugin." + className, source,
                "io.execstream.ports.plugin.CommandRunnerProvider");
    }

    /** Compiles {@code source} (class {@code className}) and packs it with a service file for {@code service}. */
    static Path build(Path pluginsDir, String jarName, String className, String source, String service) throws IOException {
        Path work = Files.createTempDirectory(pluginsDir.getParent(), "plugin-src");
        Path file = work.resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null,
                List.of("--release", "17", "-classpath", ServerProcess.testClassPath(), "-d", classes.toString()), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(file.toFile())).call();
        if (!ok) {
            throw new AssertionError("the plug-in did not compile:\n" + diagnostics);
        }
        Files.createDirectories(pluginsDir);
        Path jar = pluginsDir.resolve(jarName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                put(out, classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
            put(out, "META-INF/services/" + service, (className + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    private static void put(JarOutputStream jar, String name, byte[] bytes) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(bytes);
        jar.closeEntry();
    }
}
