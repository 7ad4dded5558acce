package io.execstream.adapters.local;

/**
 * The whole local runner suite again, with commands started through the JDK under {@code setsid}:
 * the start of a JVM where {@code posix_spawn} is not available, or turned off.
 */
class JdkSpawnLocalCommandRunnerTest extends LocalCommandRunnerTest {

    @Override
    LocalCommandRunner.Builder configured() {
        return super.configured().posixSpawn(false);
    }

    @Override
    boolean posixSpawn() {
        return false;
    }
}
