package org.mailkeep;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of docs/architecture.md, checked on the compiled main classes: a new package cycle or an
 * upward import fails the build instead of being found months later.
 */
@AnalyzeClasses(packages = "org.mailkeep", importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {

    /** Every package under org.mailkeep is one slice; no two may depend on each other, directly or around a loop. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("org.mailkeep.(*)..").should().beFreeOfCycles();

    /** The ground floor is used by everything and uses nothing of MailKeep above it. */
    @ArchTest
    static final ArchRule groundFloorImportsNothingAbove = noClasses().that().resideInAPackage("org.mailkeep.box..")
            .should().dependOnClassesThat(resideInAPackage("org.mailkeep..").and(not(resideInAPackage("org.mailkeep.box.."))));

    /**
     * The standards packages are libraries: they evaluate a message or a record and return a typed result.
     * Adapting them to the SMTP pipeline is the checks package's job, so they know nothing of policy or SMTP.
     */
    @ArchTest
    static final ArchRule standardsAreLibraries = noClasses()
            .that().resideInAnyPackage("org.mailkeep.spf..", "org.mailkeep.dkim..", "org.mailkeep.dmarc..", "org.mailkeep.dnsbl..",
                    "org.mailkeep.antivirus..", "org.mailkeep.attachments..")
            .should().dependOnClassesThat(resideInAnyPackage("org.mailkeep.policy..", "org.mailkeep.smtp..", "org.mailkeep.checks.."));
}
