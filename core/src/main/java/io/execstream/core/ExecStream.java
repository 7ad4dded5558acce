package io.execstream.core;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.Interaction;
import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.StreamStatus;
import io.execstream.domain.TooManyRunningException;
import io.execstream.domain.UnavailableException;
import io.execstream.domain.UnknownProviderException;
import io.execstream.domain.UnsupportedByProviderException;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.CodeAgent;
import io.execstream.ports.CommandExit;
import io.execstream.ports.CommandRunner;
import io.execstream.ports.ProjectFeed;
import io.execstream.ports.RunNotifier;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.StreamChange;
import io.execstream.ports.StreamControl;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The execstream service: runs commands through a {@link CommandRunner} and streams their output
 * through a {@link StreamPublisher}. Build one with {@link #builder}, call it through its use-case
 * interfaces from any thread, and {@link #close()} it to stop every running command.
 *
 * <p>Each started command gets a stream that ends with exactly one
 * {@link StreamEvent.Done}: {@code exited} with the exit code, {@code cancelled} after
 * {@link #cancel}, {@code timed_out} past the command's timeout, or {@code failed} when it could
 * not start. The service logs one line when a command starts and one when it ends.
 *
 * <p>A start returns once the stream exists; the runner (or agent) is called on one of the
 * service's daemon threads named {@code execstream-launch-N}, so a request does not wait for a
 * process to be spawned. A command cancelled before that call is never started; its stream ends
 * {@code cancelled}.
 *
 * <h2>Following and waiting</h2>
 * {@link #followToEnd} hands a subscriber a stream's events to its done event, resuming by
 * itself if the subscriber falls behind; {@link Following#completion()} and
 * {@link #completion(ProjectId, StreamId)} complete with the done event. {@link #follow} is the
 * publisher's plain subscription, for a caller that resumes itself.
 *
 * <h2>Closing, and the JVM's exit</h2>
 * {@link #close()} takes no new commands, cancels every running one (its whole process tree) and
 * waits, up to {@link Builder#shutdownGrace}, for their done events to be published; followers
 * receive them as usual. It does not close the runner or the publisher: they are the caller's,
 * who closes them after the service (try-with-resources does, in reverse order of opening). Its
 * threads are daemons, so a program whose {@code main} returns exits while commands still run;
 * so that they do not outlive it as orphans, the service registers a JVM shutdown hook (a thread
 * named {@code execstream-shutdown}) that calls {@code close()}. {@code close()} removes it again;
 * {@link Builder#shutdownHook(boolean)} turns it off for a host that stops the service itself.
 */
public final class ExecStream implements StartCommandUseCase, CancelStreamUseCase, StreamQueries,
        FollowStreamUseCase, SendInputUseCase, AgentSessionUseCase, AutoCloseable {
    /** How long an agent run whose prompt sets no timeout may take, unless the builder says otherwise. */
    public static final Duration DEFAULT_AGENT_TIMEOUT = Duration.ofMinutes(30);
    private static final System.Logger LOG = System.getLogger(ExecStream.class.getName());
    private static final String NO_STDIN = "this command was started without stdin: start it with \"stdin\": true to write to it";
    private static final String NOT_A_SESSION = "this stream is not a live agent session: start the agent with \"interactive\": true";
    /** The ids the core gives requests for permission: {@code p1}, {@code p2}, ... */
    private static final Pattern ANSWERABLE = Pattern.compile("p[1-9][0-9]{0,9}");
    private static final String TAKES_NOTHING = "this stream takes no input: start it with \"stdin\": true or \"interactive\": true";

    private final CommandRunner runner;
    private final StreamPublisher publisher;
    /** The publisher as the streams' writers use it: it tells the project feed what changed. */
    private final FeedingPublisher writer;
    private final ProjectFeed feed;
    /** Told of the changes of the streams this node runs (webhooks). */
    private final RunNotifier notifier;
    private final Clock clock;
    private final Map<String, CodeAgent> agents;
    /** Providers known but off, and what would turn each on. */
    private final Map<String, String> agentsOff;
    private final CancelRelay cancelRelay;
    private final int maxRunning;
    private final Semaphore slots;
    private final Duration shutdownGrace;
    /** How long an agent run whose prompt sets no timeout may take; null for no limit. */
    private final Duration agentTimeout;
    private final ScheduledExecutorService scheduler;
    /** Starts the commands, so that a request does not wait for a process to be spawned. */
    private final ExecutorService launcher;
    /** Carries out what is sent to running streams (stdin writes, messages), each stream in order. */
    private final ExecutorService talkers;
    /** How long a request waits for a command to read what it was sent before. */
    private final Duration inputWait;
    private final long maxPendingInput;
    private final Map<StreamId, StreamPump> running = new ConcurrentHashMap<>();
    /** Closes the service when the JVM exits; null when the builder turned it off. */
    private final Thread shutdownHook;
    private volatile boolean closed;
    private final CountDownLatch closeFinished = new CountDownLatch(1);

    private ExecStream(Builder builder) {
        this.runner = builder.runner;
        this.publisher = builder.publisher;
        this.feed = builder.projectFeed != null ? builder.projectFeed
                : Objects.requireNonNullElseGet(builder.publisher.projectFeed(), ProjectFeed::local);
        this.notifier = builder.runNotifier;
        this.writer = new FeedingPublisher(publisher, feed, notifier);
        this.clock = builder.clock;
        this.agents = Map.copyOf(builder.agents);
        this.agentsOff = Map.copyOf(builder.agentsOff);
        this.cancelRelay = builder.cancelRelay;
        this.maxRunning = builder.maxRunning;
        this.slots = new Semaphore(builder.maxRunning);
        this.shutdownGrace = builder.shutdownGrace;
        this.agentTimeout = builder.agentTimeout.isZero() ? null : builder.agentTimeout;
        this.scheduler = Executors.newScheduledThreadPool(1, DaemonThreads.named("execstream-timer-"));
        // At most maxRunning at once: each start holds a slot.
        this.launcher = Executors.newCachedThreadPool(DaemonThreads.named("execstream-launch-"));
        this.talkers = Executors.newCachedThreadPool(DaemonThreads.named("execstream-input-"));
        this.inputWait = builder.inputWait;
        this.maxPendingInput = builder.maxPendingInput;
        cancelRelay.onCancelRequest(this::cancelHere);
        cancelRelay.onControlRequest(this::controlHere);
        if (builder.shutdownHook) {
            shutdownHook = new Thread(this::close, "execstream-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } else {
            shutdownHook = null;
        }
    }

    /** A builder for a service that runs commands with {@code runner} and publishes to {@code publisher}. */
    public static Builder builder(CommandRunner runner, StreamPublisher publisher) {
        return new Builder(runner, publisher);
    }

    /**
     * Has {@code listener} told of every change of every project's streams from now on: a stream
     * started, its live session changed, it finished; those of other nodes too, when the project
     * feed reaches them. Called on the feed's threads (for the local feed, the thread that made
     * the change); the listener must not block.
     */
    public void onProjectChange(Consumer<StreamChange> listener) {
        feed.listen(listener);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A run's own {@link StartCommand#webhookUrl} is checked by the {@link Builder#runNotifier}
     * before a stream exists.
     */
    @Override
    public StreamInfo start(StartCommand command) {
        CommandSpec spec = command.spec();
        checkWebhook(command.webhookUrl());
        return launch(command.project(), spec.timeout().orElse(null), describe(spec), title(spec.command()), false,
                spec.stdin() ? Interaction.STDIN : Interaction.NONE, null, command.webhookUrl(),
                pump -> runner.start(command.project(), spec, pump));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Before a stream exists, in this order: the provider must be registered; the agent's
     * {@link CodeAgent#validate} checks the prompt's options and its own limits; the agent's
     * {@link AgentCapabilities} must cover a session to resume, the model asked for, a live session
     * and approvals; then the {@link Builder#runNotifier} checks the run's own
     * {@link StartAgent#webhookUrl}. A prompt
     * without a timeout of its own is stopped after {@link Builder#agentTimeout} ({@code timed_out}).
     */
    @Override
    public StreamInfo startAgent(StartAgent command) {
        requireAgent(command.provider());
        CodeAgent agent = agents.get(command.provider());
        AgentPrompt prompt = command.prompt();
        agent.validate(prompt);
        AgentCapabilities can = agent.capabilities();
        if (prompt.sessionId().isPresent() && !can.resume()) {
            throw new UnsupportedByProviderException(agent.provider() + " cannot resume a session");
        }
        List<String> models = can.models();
        if (prompt.model().isPresent() && !models.isEmpty() && !models.contains(prompt.model().get())) {
            throw new UnsupportedByProviderException(agent.provider() + " has no model " + prompt.model().get()
                    + "; it offers " + String.join(", ", models));
        }
        if (prompt.interactive() && !can.interactive()) {
            throw new UnsupportedByProviderException(agent.provider() + " cannot run a live session (\"interactive\": true)");
        }
        if (prompt.approvals() && !can.approvals()) {
            throw new UnsupportedByProviderException(agent.provider()
                    + " cannot ask for approvals (\"approvals\": true); start it without them, with allowed tools");
        }
        checkWebhook(command.webhookUrl());
        return launch(command.project(), prompt.timeout().orElse(agentTimeout),
                "agent " + agent.provider() + (prompt.interactive() ? " (live session)" : ""), prompt.prompt(), true,
                prompt.interactive() ? Interaction.SESSION : Interaction.NONE, prompt, command.webhookUrl(),
                pump -> agent.start(command.project(), prompt, pump));
    }

    /** Has the notifier refuse a run's own webhook target it will not send to; null is none. */
    private void checkWebhook(URI webhookUrl) {
        if (webhookUrl != null) {
            notifier.check(webhookUrl);
        }
    }

    /**
     * Refuses a provider no agent is registered under, before anything else about the request is
     * looked at; for one the builder named {@linkplain Builder#agentOff off}, the refusal says
     * what would turn it on.
     *
     * @throws UnknownProviderException if no agent is registered under {@code provider}
     */
    public void requireAgent(String provider) {
        if (!agents.containsKey(provider)) {
            String howToTurnOn = agentsOff.get(provider);
            throw howToTurnOn == null ? new UnknownProviderException(provider) : new UnknownProviderException(provider, howToTurnOn);
        }
    }

    /** The registered coding agents by provider name, and what each can do. */
    public Map<String, AgentCapabilities> agents() {
        Map<String, AgentCapabilities> out = new LinkedHashMap<>();
        agents.keySet().stream().sorted().forEach(name -> out.put(name, agents.get(name).capabilities()));
        return out;
    }

    /**
     * The provider of the registered agent whose {@linkplain CodeAgent#alias() alias} is
     * {@code alias} (e.g. {@code claude-code} for {@code claude}), if one declares it.
     */
    public Optional<String> providerOfAlias(String alias) {
        return agents.values().stream()
                .filter(agent -> agent.alias().filter(alias::equals).isPresent())
                .map(CodeAgent::provider)
                .sorted()
                .findFirst();
    }

    @Override
    public StreamInfo cancel(ProjectId project, StreamId stream) {
        StreamInfo info = status(project, stream);
        if (!cancelHere(stream) && !info.isFinished()) {
            // Another node runs it.
            cancelRelay.requestCancel(stream);
        }
        return info;
    }

    /**
     * {@inheritDoc}
     *
     * <p>On a node that does not run the stream, the input is relayed to the one that does
     * ({@link CancelRelay#requestControl}); it is then checked and recorded there.
     */
    @Override
    public Accepted sendInput(SendInput input) {
        StreamInfo info = status(input.project(), input.stream());
        StreamTalk talk = talkHere(input.stream(), info, ErrorCode.NO_STDIN, NO_STDIN);
        if (talk != null) {
            talk.input(input.data(), input.eof(), input.echo());
            return new Accepted(current(info), false);
        }
        if (info.interaction() != Interaction.STDIN) {
            throw new RequestRefusedException(ErrorCode.NO_STDIN,
                    info.interaction() == Interaction.SESSION ? StreamTalk.A_SESSION : NO_STDIN);
        }
        cancelRelay.requestControl(input.stream(), new StreamControl.Input(input.data(), input.eof(), input.echo()));
        return new Accepted(info, true);
    }

    @Override
    public MessageAccepted sendMessage(SendMessage message) {
        StreamInfo info = status(message.project(), message.stream());
        StreamTalk talk = talkHere(message.stream(), info, ErrorCode.NOT_INTERACTIVE, NOT_A_SESSION);
        if (talk != null) {
            StreamTalk.TakenMessage taken = talk.message(message.prompt());
            return new MessageAccepted(current(info), taken.turn(), taken.queued(), false);
        }
        requireSession(info);
        cancelRelay.requestControl(message.stream(), new StreamControl.Message(message.prompt()));
        boolean working = info.session() != null && info.session().activity() == SessionState.Activity.WORKING;
        return new MessageAccepted(info, 0, working, true);
    }

    @Override
    public Accepted interrupt(ProjectId project, StreamId stream) {
        StreamInfo info = status(project, stream);
        StreamTalk talk = talkHere(stream, info, ErrorCode.NOT_INTERACTIVE, NOT_A_SESSION);
        if (talk != null) {
            talk.interrupt();
            return new Accepted(current(info), false);
        }
        requireSession(info);
        cancelRelay.requestControl(stream, new StreamControl.Interrupt());
        return new Accepted(info, true);
    }

    @Override
    public Accepted close(ProjectId project, StreamId stream) {
        StreamInfo info = status(project, stream);
        StreamTalk talk = talkHere(stream, info, ErrorCode.NOT_INTERACTIVE, TAKES_NOTHING);
        if (talk != null) {
            talk.close();
            return new Accepted(current(info), false);
        }
        if (info.interaction() == Interaction.NONE) {
            throw new RequestRefusedException(ErrorCode.NOT_INTERACTIVE, TAKES_NOTHING);
        }
        cancelRelay.requestControl(stream, new StreamControl.End());
        return new Accepted(info, true);
    }

    /**
     * {@inheritDoc}
     *
     * <p>On a node that does not run the stream, the answer is relayed to the one that does
     * ({@link CancelRelay#requestControl}) when the published status lists the request as pending.
     */
    @Override
    public Accepted answerPermission(AnswerPermission answer) {
        StreamInfo info = status(answer.project(), answer.stream());
        StreamTalk talk = talkHere(answer.stream(), info, ErrorCode.NOT_INTERACTIVE, NOT_A_SESSION);
        if (talk != null) {
            talk.answer(answer.requestId(), answer.decision(), answer.decidedBy());
            return new Accepted(current(info), false);
        }
        requireSession(info);
        boolean pending = info.session() != null && info.session().pending().stream()
                .anyMatch(r -> r.requestId().equals(answer.requestId()));
        if (!pending) {
            throw ANSWERABLE.matcher(answer.requestId()).matches()
                    ? new RequestRefusedException(ErrorCode.PERMISSION_RESOLVED, "request " + answer.requestId()
                            + " does not wait for an answer: it was settled (answered, expired or withdrawn) or never asked")
                    : RequestRefusedException.notFound("this stream asked no request " + answer.requestId());
        }
        cancelRelay.requestControl(answer.stream(),
                new StreamControl.Answer(answer.requestId(), answer.decision(), answer.decidedBy()));
        return new Accepted(info, true);
    }

    /**
     * The talking side of {@code stream} when this node runs it; null when another node does.
     *
     * @throws RequestRefusedException {@code stream_finished} for a finished stream, and
     *         {@code whenNone} with {@code message} for a stream that takes nothing
     */
    private StreamTalk talkHere(StreamId stream, StreamInfo info, ErrorCode whenNone, String message) {
        StreamPump pump = running.get(stream);
        if (pump == null) {
            if (info.isFinished() || publisher.find(stream).map(StreamInfo::isFinished).orElse(true)) {
                throw new RequestRefusedException(ErrorCode.STREAM_FINISHED, "the stream has finished; it takes no more input");
            }
            return null;
        }
        StreamTalk talk = pump.talk();
        if (talk == null) {
            throw new RequestRefusedException(whenNone, message);
        }
        return talk;
    }

    private static void requireSession(StreamInfo info) {
        if (info.interaction() != Interaction.SESSION) {
            throw new RequestRefusedException(ErrorCode.NOT_INTERACTIVE, NOT_A_SESSION);
        }
    }

    /** The stream as the publisher has it now (after a request changed its session state). */
    private StreamInfo current(StreamInfo before) {
        return publisher.find(before.id()).orElse(before);
    }

    /** Carries out a control request relayed from another node, for a stream this node runs. */
    private void controlHere(StreamId stream, StreamControl control) {
        StreamPump pump = running.get(stream);
        StreamTalk talk = pump == null ? null : pump.talk();
        if (talk == null) {
            LOG.log(Level.DEBUG, "stream={0}: relayed {1} ignored: not running here", stream, control.getClass().getSimpleName());
            return;
        }
        try {
            if (control instanceof StreamControl.Input input) {
                // Checked by the node that took it; no lookup here, which Redis may not answer now.
                talk.input(input.data(), input.eof(), input.echo());
            } else if (control instanceof StreamControl.Message message) {
                talk.message(message.prompt());
            } else if (control instanceof StreamControl.Interrupt) {
                talk.interrupt();
            } else if (control instanceof StreamControl.Answer answer) {
                talk.answer(answer.requestId(), answer.decision(), answer.decidedBy());
            } else {
                talk.close();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stream={0}: relayed {1} not carried out: {2}", stream,
                    control.getClass().getSimpleName(), e.getMessage());
        }
    }

    /** Cancels {@code stream} if this node runs it; whether it does. */
    private boolean cancelHere(StreamId stream) {
        StreamPump pump = running.get(stream);
        if (pump != null) {
            pump.stop(StreamStatus.CANCELLED);
        }
        return pump != null;
    }

    @Override
    public StreamInfo status(ProjectId project, StreamId stream) {
        return publisher.find(stream)
                .filter(info -> info.project().equals(project))
                .orElseThrow(() -> new StreamNotFoundException(stream));
    }

    @Override
    public List<StreamInfo> list(ProjectId project, int limit) {
        return publisher.list(project, limit);
    }

    @Override
    public Subscription follow(ProjectId project, StreamId stream, String afterEventId, StreamSubscriber subscriber) {
        status(project, stream);
        return publisher.subscribe(stream, afterEventId, subscriber);
    }

    /** How many commands run now. */
    public int runningCount() {
        return running.size();
    }

    /** The most commands that may run at once. */
    public int maxRunning() {
        return maxRunning;
    }

    /**
     * Whether {@link #close()} has been called: new commands are refused, and once it has returned
     * every command has ended and its done event is published.
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Takes no new commands, cancels every running one (its whole process tree), and waits up to
     * the shutdown grace period for their done events to be published, so that followers get
     * them. Does not close the runner or the publisher, which belong to the caller: close them
     * after this. Removes the shutdown hook. Idempotent; from any thread: a call while another
     * is closing returns when that one has finished.
     */
    @Override
    public void close() {
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
        }
        if (!first) {
            // Another thread (the shutdown hook, say) is closing: return once it is done, so
            // that a caller that closes the publisher next does so after the done events.
            awaitClosed();
            return;
        }
        try {
            stopAll();
        } finally {
            closeFinished.countDown();
        }
    }

    private void awaitClosed() {
        try {
            closeFinished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopAll() {
        removeShutdownHook();
        running.values().forEach(pump -> pump.stop(StreamStatus.CANCELLED));
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        try {
            // Every slot comes back when its command's done event is out.
            if (!slots.tryAcquire(maxRunning, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LOG.log(Level.WARNING, "{0} command(s) still running after the shutdown grace period", running.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        talkers.shutdown();
        // Not shutdownNow: a start already handed over still ends its stream.
        launcher.shutdown();
    }

    private void removeShutdownHook() {
        if (shutdownHook == null || Thread.currentThread() == shutdownHook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is exiting: the hook runs (or waits on this close) anyway.
        }
    }

    private StreamInfo launch(ProjectId project, Duration timeout, String what, String title, boolean agentRun,
                              Interaction interaction, AgentPrompt session, URI webhookUrl,
                              Function<StreamPump, RunningCommand> starter) {
        Objects.requireNonNull(project, "project");
        if (closed) {
            throw new UnavailableException("the service is shutting down");
        }
        if (!slots.tryAcquire()) {
            throw new TooManyRunningException(maxRunning);
        }
        StreamInfo info;
        StreamPump pump;
        try {
            info = StreamInfo.started(StreamId.random(), project, clock.instant(), interaction);
            writer.open(info, title, webhookUrl);
            pump = track(info, timeout, agentRun);
            if (interaction != Interaction.NONE) {
                StreamTalk talk = new StreamTalk(info.id(), writer, pump.lock(), pump::isDone, interaction,
                        new StreamControls(info.id().value(), talkers, maxPendingInput), scheduler,
                        session == null ? AgentPrompt.DEFAULT_IDLE_TIMEOUT : session.idleTimeoutOrDefault(), inputWait,
                        session != null && session.approvals() ? session.approvalTimeoutOrDefault() : null, clock);
                pump.talk(talk);
                if (session != null) {
                    talk.openSession(session.prompt());
                }
            }
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
        LOG.log(Level.INFO, "started project={0} stream={1} command={2}", project, info.id(), what);
        try {
            // Spawning a process (or a kubectl, or asking an agent's server) takes milliseconds
            // that the caller need not wait for: its stream exists already.
            launcher.execute(() -> begin(pump, starter));
        } catch (RejectedExecutionException e) {
            pump.onExit(new CommandExit.FailedToStart("the service is shutting down"));
        } catch (OutOfMemoryError e) {
            // No thread to start it on ("unable to create native thread"): its stream must still end.
            pump.onExit(new CommandExit.FailedToStart("the service could not start a thread for the command"));
        }
        return info;
    }

    /** Calls the runner (or agent) for one start, on a launcher thread, unless the run was stopped first. */
    static void begin(StreamPump pump, Function<StreamPump, RunningCommand> starter) {
        if (pump.stopRequested()) {
            // Cancelled, or the service closed, before it started: nothing to start and stop.
            pump.onExit(new CommandExit.FailedToStart("stopped before it started"));
            return;
        }
        try {
            pump.attach(starter.apply(pump));
        } catch (RuntimeException e) {
            pump.onExit(new CommandExit.FailedToStart("the runner could not start the command: " + e.getMessage()));
        }
    }

    private StreamPump track(StreamInfo info, Duration limit, boolean agentRun) {
        ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
        StreamPump pump = new StreamPump(info.id(), writer, scheduler, agentRun, clock, done -> {
            if (timer[0] != null) {
                timer[0].cancel(false);
            }
            running.remove(info.id());
            slots.release();
            LOG.log(Level.INFO, "finished project={0} stream={1} status={2} exit_code={3} duration_ms={4}",
                    info.project(), info.id(), done.status().wireName(),
                    done.exitCode() == null ? "none" : done.exitCode().toString(), Long.toString(done.durationMs()));
        });
        running.put(info.id(), pump);
        if (limit != null) {
            timer[0] = scheduler.schedule(() -> pump.stop(StreamStatus.TIMED_OUT), limit.toMillis(), TimeUnit.MILLISECONDS);
        }
        return pump;
    }

    /** What the log says a command is: its program and argument count, never its arguments. */
    /**
     * What names a command for a person watching the project: its script, or its arguments
     * joined by spaces ({@link io.execstream.ports.StreamChange} cuts it short). Unlike the log
     * line's description, it is shown only to holders of the project's key or console token.
     */
    private static String title(CommandLine command) {
        return command instanceof CommandLine.Shell shell ? shell.script() : String.join(" ", command.toArgv());
    }

    private static String describe(CommandSpec spec) {
        if (spec.command() instanceof CommandLine.Shell) {
            return "sh -c <script>";
        }
        List<String> argv = spec.command().toArgv();
        return argv.get(0).replaceAll("[^\\w./+-]", "?") + " <" + (argv.size() - 1) + " args>";
    }

    /** Configures an {@link ExecStream}. */
    public static final class Builder {
        private final CommandRunner runner;
        private final StreamPublisher publisher;
        private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
        private Clock clock = Clock.systemUTC();
        private final Map<String, CodeAgent> agents = new LinkedHashMap<>();
        private final Map<String, String> agentsOff = new LinkedHashMap<>();
        private CancelRelay cancelRelay = CancelRelay.LOCAL;
        private ProjectFeed projectFeed;
        private RunNotifier runNotifier = RunNotifier.NONE;
        private int maxRunning = 64;
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Duration agentTimeout = DEFAULT_AGENT_TIMEOUT;
        private boolean shutdownHook = true;
        private Duration inputWait = Duration.ofSeconds(2);
        private long maxPendingInput = 1 << 20;

        private Builder(CommandRunner runner, StreamPublisher publisher) {
            this.runner = Objects.requireNonNull(runner, "runner");
            this.publisher = Objects.requireNonNull(publisher, "publisher");
        }

        /** The clock that stamps {@code started_at}; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How a cancel reaches the node that runs a stream, when several nodes share the
         * publisher; {@link CancelRelay#LOCAL} (a single node) by default.
         */
        public Builder cancelRelay(CancelRelay cancelRelay) {
            this.cancelRelay = Objects.requireNonNull(cancelRelay, "cancelRelay");
            return this;
        }

        /**
         * What carries the lifecycle of streams to the projects' consoles, on every node: by
         * default the publisher's own ({@link StreamPublisher#projectFeed()}), or, when it has
         * none, {@link ProjectFeed#local()}. The caller closes it, after the service.
         */
        public Builder projectFeed(ProjectFeed projectFeed) {
            this.projectFeed = Objects.requireNonNull(projectFeed, "projectFeed");
            return this;
        }

        /**
         * Who is told when a run of this node needs a person or ends (webhooks): called on this
         * node only, for the streams it runs, and asked to check a run's own webhook URL before
         * the run starts. {@link RunNotifier#NONE} by default, which refuses a run's own URL. The
         * caller closes it, after the service.
         */
        public Builder runNotifier(RunNotifier runNotifier) {
            this.runNotifier = Objects.requireNonNull(runNotifier, "runNotifier");
            return this;
        }

        /** Registers a coding agent for {@link #startAgent}, under its provider name. */
        public Builder agent(CodeAgent agent) {
            Objects.requireNonNull(agent, "agent");
            if (!PROVIDER.matcher(agent.provider()).matches()) {
                throw new IllegalArgumentException("provider names are lower-case letters, digits and '-': " + agent.provider());
            }
            if (agents.putIfAbsent(agent.provider(), agent) != null) {
                throw new IllegalArgumentException("two agents named " + agent.provider());
            }
            return this;
        }

        /**
         * Names a provider this service knows of but runs without (a server's agent whose options
         * leave it off), and what would turn it on, e.g. {@code "start the server with --opencode-url"}:
         * a request for it is refused with that, not as a provider nobody knows. An agent
         * registered under the name wins.
         */
        public Builder agentOff(String provider, String howToTurnOn) {
            agentsOff.put(Objects.requireNonNull(provider, "provider"), Objects.requireNonNull(howToTurnOn, "howToTurnOn"));
            return this;
        }

        /** The most commands that may run at once (64 by default); past it, start throws. */
        public Builder maxRunning(int maxRunning) {
            if (maxRunning < 1) {
                throw new IllegalArgumentException("maxRunning must be at least 1");
            }
            this.maxRunning = maxRunning;
            return this;
        }

        /**
         * How long an agent run may take when its prompt sets no timeout of its own
         * ({@link AgentPrompt#timeout()}, which always wins); {@link ExecStream#DEFAULT_AGENT_TIMEOUT} (30 min)
         * by default, {@link Duration#ZERO} for no limit. Past it the run is stopped and its stream
         * ends {@code timed_out}: an agent that waits for something no one will give (an approval,
         * a provider that keeps failing) does not hold a slot for ever.
         */
        public Builder agentTimeout(Duration agentTimeout) {
            Objects.requireNonNull(agentTimeout, "agentTimeout");
            if (agentTimeout.isNegative()) {
                throw new IllegalArgumentException("agentTimeout must not be negative");
            }
            this.agentTimeout = agentTimeout;
            return this;
        }

        /**
         * How long a request that sends input or a message waits for the command to read what it
         * was sent before, when more than {@link #maxPendingInput} bytes of it wait (2 s by
         * default). Past it the request is refused ({@code input_blocked}, 503): a command that
         * does not read its stdin holds up no request thread for long.
         */
        public Builder inputWait(Duration inputWait) {
            Objects.requireNonNull(inputWait, "inputWait");
            if (inputWait.isNegative()) {
                throw new IllegalArgumentException("inputWait must not be negative");
            }
            this.inputWait = inputWait;
            return this;
        }

        /** How many bytes sent to one stream may wait for its command to read them (1 MiB by default). */
        public Builder maxPendingInput(long maxPendingInput) {
            if (maxPendingInput < 1) {
                throw new IllegalArgumentException("maxPendingInput must be at least 1");
            }
            this.maxPendingInput = maxPendingInput;
            return this;
        }

        /** How long {@link ExecStream#close()} waits for stopped commands' done events (10 s by default). */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            return this;
        }

        /**
         * Whether the service closes itself when the JVM exits, so that the commands it still runs
         * are cancelled rather than left behind as orphans (true by default): it registers a
         * shutdown hook that calls {@link ExecStream#close()}, which removes it. Turn it off for
         * a host that closes the service in its own shutdown sequence.
         */
        public Builder shutdownHook(boolean shutdownHook) {
            this.shutdownHook = shutdownHook;
            return this;
        }

        /** A new service; it registers its shutdown hook now, unless turned off. */
        public ExecStream build() {
            return new ExecStream(this);
        }
    }
}
