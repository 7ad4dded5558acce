package io.execstream.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The server gets every adapter from its provider (see {@code AdapterPlugins}), so a plug-in is
 * served like a built-in one: its main code names no adapter class.
 */
class ServerNamesNoAdapterTest {
    private static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(location -> !location.contains("/test-classes/"))
            .importPackages("io.execstream.server");

    @Test
    void theServerDependsOnNoAdapter() {
        noClasses().that().resideInAPackage("io.execstream.server..")
                .should().dependOnClassesThat().resideInAPackage("io.execstream.adapters..")
                .check(SERVER);
    }
}
