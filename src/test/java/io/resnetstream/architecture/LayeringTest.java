package io.resnetstream.architecture;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of docs/design.md ("Package map"), enforced: each package of the service may use only the
 * packages listed for it, and no two packages depend on each other. Serving never reaches into the model lab
 * ({@code resnet}) or the command-line tools; the shared outcome vocabulary depends on nothing of ours.
 */
class LayeringTest {

    private static final String ROOT = "io.resnetstream";

    /** Package (below {@link #ROOT}) → the packages of ours it may depend on, besides itself and its own subpackages. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("outcome", Set.of()),
            Map.entry("contracts", Set.of()),
            Map.entry("registry", Set.of()),
            Map.entry("imaging", Set.of("outcome")),
            Map.entry("ingest", Set.of("outcome", "contracts", "registry", "imaging")),
            Map.entry("inference", Set.of("outcome", "imaging")),
            Map.entry("batching", Set.of("outcome", "contracts", "imaging", "inference")),
            Map.entry(
                    "topology",
                    Set.of("outcome", "contracts", "registry", "imaging", "ingest", "inference", "batching")),
            Map.entry("resnet", Set.of("imaging", "inference")),
            Map.entry(
                    "tools",
                    Set.of(
                            "outcome",
                            "contracts",
                            "registry",
                            "imaging",
                            "ingest",
                            "inference",
                            "batching",
                            "topology",
                            "resnet")));

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    static Set<String> layers() {
        return ALLOWED.keySet();
    }

    @ParameterizedTest(name = "{0} uses only its allowed packages")
    @MethodSource("layers")
    void eachPackageUsesOnlyWhatItMay(String layer) {
        String[] allowed =
                ALLOWED.get(layer).stream().map(p -> ROOT + "." + p + "..").toArray(String[]::new);
        String[] others = ALLOWED.keySet().stream()
                .filter(p -> !p.equals(layer) && !ALLOWED.get(layer).contains(p))
                .map(p -> ROOT + "." + p + "..")
                .toArray(String[]::new);
        ArchRule rule = ArchRuleDefinition.noClasses()
                .that()
                .resideInAPackage(ROOT + "." + layer + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(others)
                .because(layer + " may use only "
                        + (allowed.length == 0 ? "nothing of ours" : String.join(", ", allowed)));
        rule.check(classes);
    }

    @Test
    void everyPackageHasARule() {
        ArchRuleDefinition.classes()
                .should()
                .resideInAnyPackage(ALLOWED.keySet().stream()
                        .map(p -> ROOT + "." + p + "..")
                        .toArray(String[]::new))
                .check(classes);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }
}
