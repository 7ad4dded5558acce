package io.execstream.adapters.kubectl;

import io.execstream.adapters.support.StartFailure;
import io.execstream.adapters.support.StdinPipe;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ProjectId;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandListener;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.RunningCommand;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Runs commands in a project's Kubernetes pod through {@code kubectl exec}, as a local
 * subprocess started from an argument list (never through a local shell):
 *
 * <pre>
 * kubectl [--context C] -n NAMESPACE exec TARGET [-i] [-c CONTAINER] -- sh -c WRAPPER execstream-NONCE ... -- ARGV...
 * </pre>
 *
 * {@code {project}} in the namespace and target templates is replaced by the project id (a
 * DNS-1123 label). There is no {@code -t}: stdout and stderr stay separate. The command's stdin
 * is at end of file, unless {@link CommandSpec#stdin()} asks for it: then kubectl runs with
 * {@code -i}, reads its stdin from a named pipe of the server ({@link StdinPipe}), whose write
 * end is {@link RunningCommand#stdin()}, and the wrapper hands what kubectl passes on to the
 * command alone. What is written goes only through that pipe and kubectl's connection: never on
 * a command line, never through a shell. Closing it sends end-of-file (kubectl closes the
 * command's stdin); once the command has ended (or kubectl has), writes fail.
 *
 * <h2>In the pod</h2>
 * The command runs under a small POSIX {@code sh} wrapper (the {@code sh -c} script; the
 * command's argv and environment follow it as separate arguments and are never part of its
 * text). The pod needs {@code sh} and a writable {@link Builder#remoteTempDir temporary
 * directory}; {@code setsid} is used when it exists. The wrapper:
 * <ul>
 *   <li>looks the program up ({@code command -v}) and reports a missing one, which ends as
 *       {@link CommandExit.FailedToStart} {@code "command not found: PROG"};</li>
 *   <li>exports {@link CommandSpec#env()} for the command only (the container's own environment
 *       is the base; the server's environment never reaches the pod);</li>
 *   <li>starts the command in a session and process group of its own (with {@code setsid}),
 *       records its pid in {@code <tmp>/execstream-<nonce>.pid} and waits for it;</li>
 *   <li>once it exited, gives processes left in its group the drain timeout, then stops them
 *       (TERM, KILL after the grace period), removes its files and exits with the command's
 *       status.</li>
 * </ul>
 * The working directory is the container's default ({@code workingDir} of the container spec,
 * else {@code /}).
 *
 * <h2>How a command ends</h2>
 * <ul>
 *   <li>The wrapper reports the command's status on a marker line of its own (with a random
 *       nonce, stripped from stderr, as is kubectl's {@code command terminated with exit code N}):
 *       {@link CommandExit.Exited} with it, {@code 128 + signal} after a signal.</li>
 *   <li>kubectl failing before the command started (no such pod or container, completed pod,
 *       API server unreachable, forbidden...): its message reaches the listener as stderr, and
 *       the command ends as {@link CommandExit.FailedToStart} with that message. A container
 *       without {@code sh} gets a message that says so.</li>
 *   <li>kubectl ending after the start but without the wrapper's status (a dropped connection:
 *       kubectl may even exit 0): {@link CommandExit.FailedToStart}, and the command is stopped
 *       in the pod as by {@code terminate}.</li>
 * </ul>
 *
 * <h2>Terminating</h2>
 * Killing the local kubectl would leave the command running in the pod, so
 * {@link RunningCommand#terminate} runs a second {@code kubectl exec} into the same pod (the pod
 * the wrapper reported its host name from, when the target names a controller such as
 * {@code deploy/x}; else the configured target) with a kill script: TERM to the command's
 * process group (retried within the grace period while the pid file does not exist yet; a
 * command not started yet is cancelled), KILL after the grace period, and only then, if the
 * local kubectl still runs after the drain timeout, it is killed.
 *
 * <p>Instances are immutable and safe for concurrent use.
 */
public final class KubectlCommandRunner implements CommandRunner {

    private static final System.Logger LOG = System.getLogger(KubectlCommandRunner.class.getName());
    private static final File DEV_NULL = new File("/dev/null");
    private static final String PROJECT = "{project}";
    /** Server settings and secrets live in variables with this prefix; kubectl does not get them. */
    private static final String SERVER_PREFIX = "EXECSTREAM_";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long the start-up check may take. */
    private static final Duration PREFLIGHT_TIMEOUT = Duration.ofSeconds(10);
    /** How long one remote signal (a kubectl exec) may take before it is given up. */
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);
    /** A pod name, as the host name the wrapper reports must look to be used as one. */
    private static final Pattern POD_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private final String kubectl;
    private final String context;
    private final String namespaceTemplate;
    private final String targetTemplate;
    private final String container;
    private final Duration gracePeriod;
    private final Duration drainTimeout;
    private final String remoteTempDir;
    private final Map<String, String> environment;

    private KubectlCommandRunner(Builder builder) {
        this.kubectl = builder.kubectl;
        this.context = builder.context;
        this.namespaceTemplate = builder.namespaceTemplate;
        this.targetTemplate = builder.targetTemplate;
        this.container = builder.container;
        this.gracePeriod = builder.gracePeriod;
        this.drainTimeout = builder.drainTimeout;
        this.remoteTempDir = builder.remoteTempDir;
        Map<String, String> env = new TreeMap<>();
        // kubectl needs HOME, PATH, KUBECONFIG, credential plugins' variables; not the server's secrets.
        System.getenv().forEach((name, value) -> {
            if (!name.startsWith(SERVER_PREFIX)) {
                env.put(name, value);
            }
        });
        env.putAll(builder.environment);
        this.environment = Map.copyOf(env);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RunningCommand start(ProjectId project, CommandSpec spec, CommandListener listener) {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(listener, "listener");

        String namespace = namespaceTemplate.replace(PROJECT, project.value());
        String target = targetTemplate.replace(PROJECT, project.value());
        String tag = "execstream-" + nonce();
        String pidFile = remoteTempDir + "/" + tag + ".pid";
        List<String> argv = spec.command().toArgv();

        return KubectlCommand.withStdin(spec.stdin(), listener, stdin -> {
            List<String> launch = exec(namespace, target, stdin != null);
            launch.addAll(RemoteScripts.wrapped(tag, pidFile, drainTimeout, gracePeriod, stdin != null, spec.env(), argv));
            Process process;
            try {
                process = kubectl(launch)
                        .redirectInput(ProcessBuilder.Redirect.from(stdin == null ? DEV_NULL : stdin.path().toFile()))
                        .start();
            } catch (IOException | RuntimeException e) {
                return KubectlCommand.couldNotStart(listener, StartFailure.reason(e), "cannot run " + kubectl, e);
            }
            KubectlCommand.RemoteKill remoteKill = (signal, host) -> signal(namespace, target, host, signal, pidFile);
            // kubectl opened its stdin before it started: the pipe may be connected.
            return KubectlCommand.started(process, tag, remoteKill, argv.get(0), listener, gracePeriod, drainTimeout, stdin);
        });
    }

    /**
     * Checks that kubectl runs and has a context to use, as the server does at start-up: with no
     * kubeconfig, kubectl talks to {@code localhost:8080}, which may well be execstream itself,
     * and every command then fails with a baffling {@code NotFound}. Returns what is wrong and
     * what to do about it, for a warning; empty when all is well. Runs
     * {@code kubectl [--context C] config view --minify -o jsonpath={.current-context}}, which
     * fails without a kubeconfig, without a current context or with an unknown {@code --context}.
     * Inside a pod with a service account (and no kubeconfig) kubectl needs no context: only that
     * it runs is checked there.
     */
    public Optional<String> preflight() {
        List<String> argv = new ArrayList<>();
        argv.add(kubectl);
        if (context != null) {
            argv.add("--context");
            argv.add(context);
        }
        argv.addAll(List.of("config", "view", "--minify", "-o", "jsonpath={.current-context}"));
        String said;
        int status;
        try {
            Process process = kubectl(argv).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectErrorStream(true).start();
            CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process));
            if (!process.waitFor(PREFLIGHT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                return Optional.of("kubectl runner: '" + kubectl + "' did not answer within "
                        + PREFLIGHT_TIMEOUT.toSeconds() + " s; commands may hang or fail");
            }
            status = process.exitValue();
            said = new String(output.get(PREFLIGHT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.of("kubectl runner: cannot run '" + kubectl + "' (" + e.getMessage() + "): install kubectl"
                    + " or name it with --kubectl-bin; until then every command fails to start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            said = "";
            status = -1;
        }
        boolean inCluster = environment.containsKey("KUBERNETES_SERVICE_HOST") && !environment.containsKey("KUBECONFIG");
        if (status == 0 && !said.isBlank() || inCluster && context == null) {
            return Optional.empty();
        }
        return Optional.of("kubectl runner: kubectl has no " + (context == null ? "current context" : "context '" + context + "'")
                + " (" + Outcome.message(said) + "): without one it talks to localhost:8080, which may be this server, and every"
                + " command fails; set KUBECONFIG, or --kube-context, or run the server in the cluster with a"
                + " service account");
    }

    private static byte[] readAll(Process process) {
        try (var in = process.getInputStream()) {
            return in.readNBytes(64 * 1024);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** {@code kubectl [--context C] -n NS exec TARGET [-i] [-c CONTAINER] --}; {@code -i} passes kubectl's stdin on. */
    private List<String> exec(String namespace, String target, boolean stdin) {
        List<String> argv = new ArrayList<>();
        argv.add(kubectl);
        if (context != null) {
            argv.add("--context");
            argv.add(context);
        }
        argv.add("-n");
        argv.add(namespace);
        argv.add("exec");
        argv.add(target);
        if (stdin) {
            argv.add("-i");
        }
        if (container != null) {
            argv.add("-c");
            argv.add(container);
        }
        argv.add("--");
        return argv;
    }

    private ProcessBuilder kubectl(List<String> argv) {
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().clear();
        builder.environment().putAll(environment);
        return builder;
    }

    /**
     * Runs the kill script in the command's pod: the pod the wrapper named, if the target is a
     * controller, then the target itself if that did not reach the command.
     */
    private int signal(String namespace, String target, String host, String signal, String pidFile) {
        Set<String> targets = new LinkedHashSet<>();
        if (host != null && POD_NAME.matcher(host).matches() && target.contains("/")
                && !target.startsWith("pod/") && !target.startsWith("pods/") && !target.startsWith("po/")) {
            targets.add("pod/" + host);
        }
        targets.add(target);
        int status = -1;
        for (String to : targets) {
            List<String> argv = exec(namespace, to, false);
            argv.addAll(RemoteScripts.kill(signal, pidFile));
            status = run(argv);
            if (status == RemoteScripts.KILL_SIGNALLED || status == RemoteScripts.KILL_NO_PROCESS) {
                return status;
            }
        }
        if (status != RemoteScripts.KILL_NO_PID_FILE) {
            LOG.log(System.Logger.Level.DEBUG, "remote " + signal + " for " + pidFile + " ended with " + status);
        }
        return status;
    }

    private int run(List<String> argv) {
        try {
            Process process = kubectl(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(SIGNAL_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                LOG.log(System.Logger.Level.WARNING, "kubectl exec to signal a command took more than "
                        + SIGNAL_TIMEOUT.toSeconds() + " s; gave up");
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot run " + kubectl + " to signal a command: " + e.getMessage());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String nonce() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Configures a {@link KubectlCommandRunner}; every setting has a default. */
    public static final class Builder {
        private String kubectl = "kubectl";
        private String context;
        private String namespaceTemplate = PROJECT;
        private String targetTemplate = "deploy/" + PROJECT;
        private String container;
        private Duration gracePeriod = Duration.ofSeconds(5);
        private Duration drainTimeout = Duration.ofSeconds(2);
        private String remoteTempDir = "/tmp";
        private Map<String, String> environment = Map.of();

        private Builder() {
        }

        /** The kubectl executable: a path, or a name looked up on {@code PATH}; default {@code kubectl}. */
        public Builder kubectlBinary(String kubectl) {
            this.kubectl = argument(kubectl, "kubectlBinary");
            return this;
        }

        /** The kubeconfig context ({@code --context}); default: none, kubectl's current context. */
        public Builder context(String context) {
            this.context = context == null ? null : argument(context, "context");
            return this;
        }

        /** The namespace ({@code -n}); {@code {project}} is replaced by the project id. Default {@code {project}}. */
        public Builder namespaceTemplate(String template) {
            this.namespaceTemplate = argument(template, "namespaceTemplate");
            return this;
        }

        /**
         * What to exec into: a pod name or {@code TYPE/NAME} as kubectl takes it; {@code {project}}
         * is replaced by the project id. Default {@code deploy/{project}}.
         */
        public Builder targetTemplate(String template) {
            this.targetTemplate = argument(template, "targetTemplate");
            return this;
        }

        /** The container ({@code -c}); default: none, the pod's default container. */
        public Builder container(String container) {
            this.container = container == null ? null : argument(container, "container");
            return this;
        }

        /** How long {@link RunningCommand#terminate} waits between TERM and KILL; default 5 s. */
        public Builder gracePeriod(Duration gracePeriod) {
            this.gracePeriod = nonNegative(gracePeriod, "gracePeriod");
            return this;
        }

        /**
         * How long processes the command left in its process group may go on after it exited,
         * before they are stopped; default 2 s.
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = nonNegative(drainTimeout, "drainTimeout");
            return this;
        }

        /** An absolute, writable directory in the pod for the wrapper's pid file; default {@code /tmp}. */
        public Builder remoteTempDir(String directory) {
            Objects.requireNonNull(directory, "remoteTempDir");
            if (!directory.startsWith("/") || directory.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("remoteTempDir must be an absolute path without control characters");
            }
            this.remoteTempDir = directory.length() > 1 && directory.endsWith("/")
                    ? directory.substring(0, directory.length() - 1) : directory;
            return this;
        }

        /**
         * Variables added to kubectl's environment, such as {@code KUBECONFIG}. Otherwise kubectl
         * gets the server's environment without the {@code EXECSTREAM_*} variables. None of it
         * reaches the pod.
         */
        public Builder kubectlEnvironment(Map<String, String> environment) {
            this.environment = Map.copyOf(Objects.requireNonNull(environment, "kubectlEnvironment"));
            return this;
        }

        public KubectlCommandRunner build() {
            return new KubectlCommandRunner(this);
        }

        private static String argument(String value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isBlank() || value.startsWith("-") || value.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException(name + " must be non-blank, must not start with '-'"
                        + " and must not contain control characters: \"" + value + "\"");
            }
            return value;
        }

        private static Duration nonNegative(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative");
            }
            return value;
        }
    }
}
