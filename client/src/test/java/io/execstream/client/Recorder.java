package io.execstream.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A listener that writes down each call as a line, and checks the lifecycle contract as it goes. */
class Recorder implements StreamListener {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final CountDownLatch terminal = new CountDownLatch(1);
    volatile ExecStreamException failure;
    volatile DoneEvent done;

    private void record(String call) {
        if (terminal.getCount() == 0) {
            violations.add("after the terminal call: " + call);
        }
        if (!Thread.currentThread().getName().startsWith("execstream-follow-")) {
            violations.add("on thread " + Thread.currentThread().getName() + ": " + call);
        }
        calls.add(call);
    }

    @Override
    public void onOutput(OutputEvent event) {
        record("out " + event.id() + " " + event.type() + " " + event.content());
    }

    @Override
    public void onAgent(AgentEvent event) {
        record("agent " + event.id() + " " + event.type());
    }

    @Override
    public void onInput(InputEvent event) {
        record("input " + event.id() + " " + event.data() + (event.eof() ? " eof" : ""));
    }

    @Override
    public void onMessage(MessageEvent event) {
        record("message " + event.id() + " " + event.turn() + (event.queued() ? " queued " : " ") + event.prompt());
    }

    @Override
    public void onTurn(TurnEvent event) {
        record("turn " + event.id() + " " + event.turn() + " " + event.subtype() + " " + event.costUsd());
    }

    @Override
    public void onPermission(PermissionEvent event) {
        record("permission " + event.id() + " " + event.requestId() + " " + event.toolName() + " " + event.inputJson());
    }

    @Override
    public void onPermissionResolved(PermissionResolvedEvent event) {
        record("resolved " + event.id() + " " + event.requestId() + " " + event.outcome()
                + (event.decidedBy() == null ? "" : " by " + event.decidedBy())
                + (event.message() == null ? "" : ": " + event.message()));
    }

    @Override
    public void onGap(GapEvent gap) {
        record("gap " + gap.id() + " " + gap.missed());
    }

    @Override
    public void onDone(DoneEvent event) {
        record("done " + event.id() + " " + event.status() + " " + event.exitCode());
        done = event;
        terminal.countDown();
    }

    @Override
    public void onFailure(ExecStreamException error) {
        record("failure " + error.status() + " " + error.error());
        failure = error;
        terminal.countDown();
    }

    /** Waits for the terminal call and checks the contract held; the calls so far. */
    List<String> awaitTerminal() throws InterruptedException {
        assertTrue(terminal.await(20, TimeUnit.SECONDS), () -> "no terminal call; calls so far " + calls);
        assertEquals(List.of(), violations);
        return List.copyOf(calls);
    }
}
