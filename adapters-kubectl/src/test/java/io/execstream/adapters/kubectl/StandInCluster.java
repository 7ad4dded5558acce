package io.execstream.adapters.kubectl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fake cluster for the stand-in kubectl ({@code src/test/resources/standin-kubectl}): pods and
 * deployments as files, the argv log, and a directory that plays the pods' {@code /tmp}.
 */
final class StandInCluster {

    final Path root;
    final Path log;
    final Path remoteTmp;
    final Path kubectl;

    StandInCluster(Path directory) {
        try {
            this.root = Files.createDirectories(directory.resolve("cluster"));
            this.log = directory.resolve("argv.log");
            this.remoteTmp = Files.createDirectories(directory.resolve("pod-tmp"));
            this.kubectl = standIn();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stand-in script, made executable (the resources plugin does not keep the bit). */
    static Path standIn() {
        URL resource = StandInCluster.class.getResource("/standin-kubectl");
        if (resource == null) {
            throw new IllegalStateException("standin-kubectl is not on the test class path");
        }
        try {
            Path script = Path.of(resource.toURI());
            Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(script));
            if (permissions.addAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE))) {
                Files.setPosixFilePermissions(script, permissions);
            }
            return script;
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot prepare the stand-in kubectl", e);
        }
    }

    /** A pod with these containers (the first is the default) and "!flag" lines. */
    StandInCluster pod(String namespace, String pod, String... lines) {
        write(root.resolve(namespace).resolve(pod), String.join("\n", lines) + "\n");
        return this;
    }

    /** A deployment whose pod is {@code pod}. */
    StandInCluster deployment(String namespace, String name, String pod) {
        write(root.resolve(namespace).resolve("deploy").resolve(name), pod + "\n");
        return this;
    }

    StandInCluster contexts(String... names) {
        write(root.resolve("contexts"), String.join("\n", names) + "\n");
        return this;
    }

    /** The kubeconfig's current context; without one the stand-in has no kubeconfig. */
    StandInCluster currentContext(String name) {
        write(root.resolve("current-context"), name + "\n");
        return this;
    }

    StandInCluster unreachable() {
        write(root.resolve("unreachable"), "");
        return this;
    }

    /** Drops the connection of the exec running into a pod with the !drop flag. */
    void dropConnection(String namespace, String pod) {
        write(root.resolve(namespace).resolve(pod + ".drop-now"), "");
    }

    /** What the runner's kubectl gets in its environment. */
    Map<String, String> environment() {
        return Map.of("STANDIN_CLUSTER", root.toString(), "STANDIN_LOG", log.toString());
    }

    /** A runner builder for this cluster; the caller adds the rest. */
    KubectlCommandRunner.Builder runner() {
        return KubectlCommandRunner.builder()
                .kubectlBinary(kubectl.toString())
                .kubectlEnvironment(environment())
                .remoteTempDir(remoteTmp.toString());
    }

    /** Every argv the stand-in received so far, in order. */
    List<List<String>> invocations() {
        List<List<String>> all = new ArrayList<>();
        if (!Files.exists(log)) {
            return all;
        }
        try {
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            String[] fields = text.split("\0", -1);
            int at = 0;
            while (at < fields.length - 1) {
                int count = Integer.parseInt(fields[at++]);
                all.add(List.copyOf(java.util.Arrays.asList(fields).subList(at, at + count)));
                at += count;
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What is left in the pods' /tmp. */
    List<String> remoteTmpFiles() {
        try (var files = Files.list(remoteTmp)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
