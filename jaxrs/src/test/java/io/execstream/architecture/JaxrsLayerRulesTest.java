package io.execstream.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * ExecStreamFeature runs in any Jersey container: it uses JAX-RS and Jersey's SSE, and names no
 * container (Grizzly, Jetty, servlets), no adapter and not the standalone server.
 */
class JaxrsLayerRulesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(location -> !location.contains("/test-classes/"))
            .importPackages("io.execstream.jaxrs");

    @Test
    void theFeatureNamesNoContainerNorAdapter() {
        noClasses().that().resideInAPackage("io.execstream.jaxrs..")
                .should().dependOnClassesThat().resideInAnyPackage("org.glassfish.grizzly..", "org.eclipse.jetty..",
                        "jakarta.servlet..", "org.glassfish.jersey.servlet..", "org.glassfish.jersey.grizzly2..",
                        "io.execstream.adapters..", "io.execstream.server..")
                .check(CLASSES);
    }
}
