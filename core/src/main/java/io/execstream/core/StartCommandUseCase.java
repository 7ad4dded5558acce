package io.execstream.core;

import io.execstream.domain.StreamInfo;

/** Starts commands and agent runs; each gets a stream. */
public interface StartCommandUseCase {

    /**
     * Starts a command. Returns once its stream exists, without waiting for the command; output
     * and the done event follow on the stream. A command that cannot start still gets a stream,
     * which ends with {@code status: failed}.
     *
     * @throws TooManyRunningException if the limit of running commands is reached
     * @throws UnavailableException    if the service is shutting down
     */
    StreamInfo start(StartCommand command);

    /**
     * Starts a run of a coding agent, as {@link #start} does a command. Besides output, its stream
     * carries the agent's own events, and its done event the agent's result; an agent that ends
     * without reporting a result ends {@code failed}.
     *
     * @throws UnknownProviderException        if no agent is registered under that name
     * @throws UnsupportedByProviderException  if the agent cannot do what the prompt asks
     */
    StreamInfo startAgent(StartAgent command);
}
