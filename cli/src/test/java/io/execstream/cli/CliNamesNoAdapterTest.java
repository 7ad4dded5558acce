package io.execstream.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The command line talks to a server through the client and runs without one through the core,
 * its adapters made by their providers ({@code EmbeddedAdapters}): it names no adapter class and
 * nothing of the server, so either can move or change without it.
 */
class CliNamesNoAdapterTest {
    private static final JavaClasses CLI = new ClassFileImporter()
            .withImportOption(location -> !location.contains("/test-classes/"))
            .importPackages("io.execstream.cli");

    @Test
    void theCommandLineDependsOnNoAdapterAndNotOnTheServer() {
        noClasses().that().resideInAPackage("io.execstream.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("io.execstream.adapters..", "io.execstream.server..")
                .check(CLI);
    }
}
