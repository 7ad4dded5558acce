package io.execstream.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static io.execstream.architecture.LayoutRules.adaptersUseNoOtherAdapter;
import static io.execstream.architecture.LayoutRules.onlyUses;
import static io.execstream.architecture.LayoutRules.usesNone;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries of the layout, checked on the compiled classes of every module (their
 * main code; tests may cross them). Each module is one package root:
 *
 * <pre>
 * domain, ports, core        JDK only, each on the layers below it
 * adapter-support            domain and ports
 * adapters-*                 domain, ports, adapter-support and their own client library; never
 *                            the core, another adapter, the HTTP layers or the server
 * sse                        JDK only
 * client                     JDK and sse only, so it clashes with no application's libraries
 * http                       domain, ports, core and Jackson: no container
 * jaxrs                      http, JAX-RS and Jersey: no container, no adapter, not the server
 * cli                        client and core; no adapter class, nothing of the server
 * testkit                    domain, ports, JUnit, Jackson and the JDK's HTTP server: what an adapter author's tests need
 * server-jersey              everything, but names no adapter class: it finds them by provider
 * </pre>
 *
 * {@link LayoutRulesFailTest} shows each kind of rule failing on a fixture that breaks it.
 */
class ArchitectureTest {
    private static final String ROOT = "io.execstream";
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    private static final String DOMAIN = ROOT + ".domain..";
    private static final String PORTS = ROOT + ".ports..";
    private static final String SUPPORT = ROOT + ".adapters.support..";
    private static final String CORE = ROOT + ".core..";
    private static final String ADAPTERS = ROOT + ".adapters..";
    private static final String SSE = ROOT + ".sse..";
    private static final String CLIENT = ROOT + ".client..";
    private static final String CLI = ROOT + ".cli..";
    private static final String HTTP = ROOT + ".http..";
    private static final String JAXRS = ROOT + ".jaxrs..";
    private static final String SERVER = ROOT + ".server..";
    private static final String TESTKIT = ROOT + ".testkit..";

    @Test
    void domainUsesTheJdkOnly() {
        onlyUses(DOMAIN, "the values are the language of every module").check(CLASSES);
    }

    @Test
    void portsUseTheDomainOnly() {
        onlyUses(PORTS, "an adapter author needs nothing but the ports", DOMAIN).check(CLASSES);
    }

    @Test
    void adapterSupportUsesThePortsOnly() {
        onlyUses(SUPPORT, "machinery adapters may reuse, below every adapter", DOMAIN, PORTS).check(CLASSES);
    }

    @Test
    void coreUsesTheDomainAndThePortsOnly() {
        onlyUses(CORE, "the application knows its ports, never an adapter or a library (it logs through System.Logger)",
                DOMAIN, PORTS).check(CLASSES);
    }

    @Test
    void adaptersNeverReachTheCoreTheHttpLayersOrTheServer() {
        usesNone(ADAPTERS, "an adapter plugs into the ports; what calls it is not its business",
                CORE, HTTP, JAXRS, SERVER, CLI, CLIENT).check(CLASSES);
    }

    @Test
    void noAdapterUsesAnother() {
        adaptersUseNoOtherAdapter(ROOT + ".adapters", "local", "memory", "kubectl", "claude", "opencode", "redis", "disk")
                .forEach(rule -> rule.check(CLASSES));
    }

    @Test
    void testkitUsesThePortsAndJunitOnly() {
        // The JDK's own HTTP server serves the fake model APIs that real agent programs are run
        // against, and Jackson reads and writes their JSON.
        onlyUses(TESTKIT, "an adapter's tests need nothing but the ports and the contract suites",
                DOMAIN, PORTS, "org.junit..", "org.opentest4j..", "org.apiguardian..", "com.sun.net.httpserver..",
                "com.fasterxml.jackson..")
                .check(CLASSES);
    }

    @Test
    void sseUsesTheJdkOnly() {
        onlyUses(SSE, "the parser is shared by the client, which must not bring dependencies").check(CLASSES);
    }

    @Test
    void clientUsesTheJdkAndSseOnly() {
        onlyUses(CLIENT, "the client must not clash with an application's own libraries", SSE).check(CLASSES);
    }

    @Test
    void theHttpLayerImportsNoContainer() {
        onlyUses(HTTP, "a transport implements SseOutput; the HTTP layer knows no container",
                DOMAIN, PORTS, CORE, "com.fasterxml.jackson..").check(CLASSES);
    }

    @Test
    void theFeatureNamesNoContainerNorAdapterNorServer() {
        usesNone(JAXRS, "ExecStreamFeature runs in any Jersey container, with whatever adapters the application chose",
                "org.glassfish.grizzly..", "org.eclipse.jetty..", "jakarta.servlet..", "org.glassfish.jersey.servlet..",
                "org.glassfish.jersey.grizzly2..", ADAPTERS, SERVER, CLI).check(CLASSES);
    }

    @Test
    void theCommandLineNamesNoAdapterNorTheServer() {
        usesNone(CLI, "the command line finds its adapters by provider, and needs no server", ADAPTERS, SERVER, HTTP, JAXRS)
                .check(CLASSES);
    }

    @Test
    void theServerNamesNoAdapterClass() {
        usesNone(SERVER, "the server only assembles: it finds every adapter, built-in or plug-in, by its provider", ADAPTERS)
                .check(CLASSES);
    }

    @Test
    void noModuleReachesUpward() {
        usesNone(DOMAIN, "the domain is the bottom",
                PORTS, CORE, ADAPTERS, HTTP, JAXRS, SERVER, CLI, CLIENT).check(CLASSES);
        usesNone(CORE, "the core is below every transport", HTTP, JAXRS, SERVER, CLI, CLIENT).check(CLASSES);
        usesNone(HTTP, "the HTTP layer is below its transports", JAXRS, SERVER, CLI).check(CLASSES);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(CLASSES);
    }
}
