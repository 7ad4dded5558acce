package io.execstream.adapters.opencode;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ProjectId;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CodeAgent;
import io.execstream.ports.CommandExit;
import io.execstream.ports.RunningCommand;
import io.execstream.ports.RunningSession;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs prompts on OpenCode: each project has its own {@code opencode serve}, found by a URL
 * template such as {@code http://opencode.{project}.svc:4096}, which this agent drives over HTTP.
 *
 * <h2>A run</h2>
 * <ol>
 *   <li>{@code GET /event}, the server's event stream, is opened first, so that no event of the
 *       run is missed;</li>
 *   <li>{@code POST /session} creates a session, or, with a {@code session_id},
 *       {@code GET /session/:id} checks it exists and {@code GET /session/:id/message} notes the
 *       messages it already has;</li>
 *   <li>{@code POST /session/:id/prompt_async} sends the prompt (and the model, given as
 *       {@code provider/model});</li>
 *   <li>the session's events are followed until {@code session.idle} (or {@code session.status}
 *       idle) or {@code session.error}.</li>
 * </ol>
 *
 * <h2>What the listener gets</h2>
 * <ul>
 *   <li>{@code onOutput(STDOUT)}: the text the assistant writes, as it streams; each part's text
 *       exactly once, whatever the event connection does;</li>
 *   <li>{@code onAgentEvent}: every event of the run's session, as OpenCode sent it (compact JSON),
 *       and {@code server.connected} at each (re)connection. Events of other sessions and
 *       heartbeats are left out. After a reconnection, what the dropped connection missed comes as
 *       {@code message.updated} / {@code message.part.updated} events marked {@code "reloaded":true};</li>
 *   <li>{@code onOutput(STDERR)}: one line {@code opencode: NAME: MESSAGE} when the session reports
 *       an error (not for the abort this agent asked for), and one for each request for permission
 *       it denied (below);</li>
 *   <li>{@code onSession}: the session, once it is created (or found, to resume);</li>
 *   <li>{@code onResult}: when the session ends: its id, {@code is_error}, {@code subtype}
 *       ({@code success}, {@code aborted} or {@code error}), the number of assistant messages as
 *       turns, their summed cost and tokens, and the session's cost: the sum over all its
 *       assistant messages, those of earlier runs included (OpenCode reports cost per message). A session that ends after {@link RunningCommand#terminate}
 *       is {@code aborted} even when OpenCode reports no error (it reports none for an abort while
 *       it waits to retry a provider error);</li>
 *   <li>{@code onExit}: {@code Exited(0)} after a session that ended without error,
 *       {@code Exited(1)} after one that reported an error, {@code FailedToStart} when the server
 *       cannot be reached or refuses a call, when the event stream drops and cannot be opened
 *       again within the reconnect window, and when the session does not end within the abort
 *       grace period after {@link RunningCommand#terminate}.</li>
 * </ul>
 *
 * <h2>Live sessions</h2>
 * For an {@linkplain AgentPrompt#interactive() interactive} prompt {@link #start} returns a
 * {@link RunningSession} whose run stays in the session after the first turn:
 * <ul>
 *   <li>{@link RunningSession#send} queues a follow-up, sent with {@code prompt_async} once the
 *       session is idle, one turn per message, in order. OpenCode itself would take a prompt sent
 *       while it works into the running turn (one reply for two messages), and drop it on an
 *       abort, so none is sent to a busy session;</li>
 *   <li>{@link RunningSession#interrupt} aborts the turn that runs ({@code POST /session/:id/abort});
 *       the session goes idle and takes the next message;</li>
 *   <li>a turn ends at the first idle after OpenCode stored its message; {@code onTurn} gets its
 *       subtype ({@code success}, {@code aborted} or {@code error}), its cost and tokens, the run's
 *       cost so far and its duration. A {@code session.error} ends the turn, not the run;</li>
 *   <li>{@link RunningSession#end} ends the run once no turn runs and no message waits:
 *       {@code onResult} with the run's turns, this run's cost and the session's, then
 *       {@code Exited(0)}. {@code terminate} aborts the turn that runs and ends {@code aborted},
 *       {@code Exited(1)}.</li>
 * </ul>
 *
 * <h2>Approvals</h2>
 * A live session started with {@linkplain AgentPrompt#approvals() approvals} passes each request
 * for permission of its session tree on: after the agent event that asked,
 * {@link io.execstream.ports.AgentListener#onPermissionRequest} on the run's thread, with
 * OpenCode's id, the permission as the tool and a compact object of {@code input} (the call's
 * arguments, when seen), {@code patterns}, {@code always} and {@code metadata} as the input.
 * {@link RunningSession#answerPermission} replies on the caller's thread ({@code once}, or
 * {@code reject} with the message); it refuses an allow with updated input, which OpenCode cannot
 * apply. A request OpenCode settles otherwise ({@code permission.replied} for a request not
 * answered here), or that the end of its turn drops (an interrupt), is withdrawn
 * ({@link io.execstream.ports.AgentListener#onPermissionWithdrawn}, on the run's thread).
 *
 * <h2>Requests for permission without approvals</h2>
 * No one watches such a run to approve a tool call, so a request for permission of the run's session,
 * or of a subagent's session under it ({@code permission.asked}, or {@code permission.updated} of
 * OpenCode before 1.1), is denied at once, where it would otherwise hold the run until it is
 * cancelled or times out: {@code POST /permission/:id/reply} with {@code reply: reject} and a
 * message the model reads (the session goes on without the tool), or for the older event
 * {@code POST /session/:id/permissions/:id} with {@code response: reject} (the session stops). The
 * listener gets a stderr line that names the tool and the rule of OpenCode's config that would
 * allow it, and the event {@code {"type":"execstream","subtype":"permission_denied",...}}.
 *
 * <h2>Threads</h2>
 * Each run has a daemon thread of its own that makes every listener call, in order. {@code start}
 * returns at once; {@code terminate} may be called from any thread: it sends
 * {@code POST /session/:id/abort} and the run ends when OpenCode confirms. A live session's
 * {@code send}, {@code interrupt} and {@code end} only queue the call for the run's thread.
 *
 * <p>Instances are immutable and safe for concurrent use. They share one {@link HttpClient}
 * (HTTP/1.1).
 */
public final class OpenCodeAgent implements CodeAgent {

    /** The provider name of this agent. */
    public static final String PROVIDER = "opencode";
    /** The user name OpenCode's basic auth expects unless configured otherwise. */
    public static final String DEFAULT_USERNAME = "opencode";

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String urlTemplate;
    private final String username;
    private final Optional<String> password;
    private final AgentCapabilities capabilities;
    private final Duration requestTimeout;
    private final Duration abortGrace;
    private final Duration reconnectFor;
    private final HttpClient client;

    private OpenCodeAgent(Builder builder) {
        this.urlTemplate = builder.urlTemplate;
        this.username = builder.username;
        this.password = builder.password;
        this.capabilities = new AgentCapabilities(true, true, true, builder.models, Set.of(), true, true);
        this.requestTimeout = builder.requestTimeout;
        this.abortGrace = builder.abortGrace;
        this.reconnectFor = builder.reconnectFor;
        this.client = HttpClient.newBuilder()
                // Plain-http HTTP/2 upgrades with a body stall on some servers; OpenCode speaks HTTP/1.1.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(builder.connectTimeout)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public AgentCapabilities capabilities() {
        return capabilities;
    }

    /** The URL of {@code project}'s OpenCode server. */
    public String url(ProjectId project) {
        return urlTemplate.replace("{project}", project.value());
    }

    @Override
    public RunningSession start(ProjectId project, AgentPrompt prompt, AgentListener listener) {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(listener, "listener");
        OpenCodeHttp http = new OpenCodeHttp(client, url(project), username, password, requestTimeout);
        OpenCodeRun run = new OpenCodeRun(http, prompt, listener, requestTimeout, abortGrace, reconnectFor);
        Thread thread = new Thread(run, "execstream-opencode-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        try {
            thread.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            run.abandon();
            listener.onExit(new CommandExit.FailedToStart("cannot start a thread for the OpenCode run: " + e));
            return run;
        }
        return run;
    }

    /** Configures an {@link OpenCodeAgent}; {@link #url} is required. */
    public static final class Builder {
        private String urlTemplate;
        private String username = DEFAULT_USERNAME;
        private Optional<String> password = Optional.empty();
        private List<String> models = List.of();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration abortGrace = Duration.ofSeconds(10);
        private Duration reconnectFor = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * The URL of a project's {@code opencode serve}, with {@code {project}} replaced by the
         * project id, e.g. {@code http://opencode.{project}.svc:4096}. Project ids are DNS labels,
         * so they are safe in a host name or a path.
         *
         * @throws IllegalArgumentException when it is not an http or https URL with a host
         */
        public Builder url(String template) {
            Objects.requireNonNull(template, "template");
            String sample = template.replace("{project}", "p");
            try {
                URI uri = new URI(sample);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                    throw new IllegalArgumentException("the OpenCode URL must be http:// or https:// with a host, "
                            + "and no query: " + template);
                }
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("the OpenCode URL is not a URL: " + template, e);
            }
            this.urlTemplate = template;
            return this;
        }

        /** The basic-auth password the servers were started with ({@code OPENCODE_SERVER_PASSWORD}); none by default. */
        public Builder password(String password) {
            Objects.requireNonNull(password, "password");
            this.password = password.isEmpty() ? Optional.empty() : Optional.of(password);
            return this;
        }

        /** The basic-auth user name ({@code OPENCODE_SERVER_USERNAME}); {@value #DEFAULT_USERNAME} by default. */
        public Builder username(String username) {
            Objects.requireNonNull(username, "username");
            if (username.isEmpty() || username.indexOf(':') >= 0) {
                throw new IllegalArgumentException("the user name must be non-empty, without ':'");
            }
            this.username = username;
            return this;
        }

        /**
         * The models ({@code provider/model}) a run may ask for; others are refused before a run
         * starts. Empty (the default) passes any name on to OpenCode.
         */
        public Builder models(List<String> models) {
            this.models = List.copyOf(models);
            return this;
        }

        /** How long to wait for a TCP connection to a server; 10 s by default. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long a call may take to be answered (for the event stream: to open); 30 s by default. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** How long a stopped run waits for OpenCode to end the session after the abort; 10 s by default. */
        public Builder abortGrace(Duration grace) {
            this.abortGrace = positive(grace, "abortGrace");
            return this;
        }

        /** How long a run tries to open a dropped event stream again before it fails; 30 s by default. */
        public Builder reconnectFor(Duration window) {
            this.reconnectFor = positive(window, "reconnectFor");
            return this;
        }

        public OpenCodeAgent build() {
            if (urlTemplate == null) {
                throw new IllegalStateException("url is required");
            }
            return new OpenCodeAgent(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
