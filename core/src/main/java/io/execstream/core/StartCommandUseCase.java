package io.execstream.core;

import io.execstream.domain.InvalidInputException;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.TooManyRunningException;
import io.execstream.domain.UnavailableException;
import io.execstream.domain.UnknownProviderException;
import io.execstream.domain.UnsupportedByProviderException;

/**
 * Starts commands and agent runs; each gets a stream. A refusal is a member of the domain's
 * error family ({@link io.execstream.domain.ExecStreamException}), thrown before any stream exists.
 */
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
     * @throws InvalidInputException           if the agent's {@code validate} refuses the prompt's options
     * @throws UnsupportedByProviderException  if the agent cannot do what the prompt asks
     * @throws TooManyRunningException         if the limit of running commands is reached
     * @throws UnavailableException            if the service is shutting down
     */
    StreamInfo startAgent(StartAgent command);
}
