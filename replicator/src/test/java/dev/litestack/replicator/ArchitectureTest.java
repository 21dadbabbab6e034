package dev.litestack.replicator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package rules of the replicator (main code only). The layers, from the bottom: {@code util},
 * {@code config}, {@code sqlite}; {@code db} (a watched database); {@code replica} (the storage
 * seam and its backends); {@code restore}; {@code engine} (runs databases and replicas together);
 * {@code exec}, {@code metrics}; {@code cli} on top.
 */
@AnalyzeClasses(packages = "dev.litestack.replicator", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noPackageCycles =
            slices().matching("dev.litestack.replicator.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule awsTypesOnlyInTheS3Backend = noClasses()
            .that()
            .resideOutsideOfPackage("dev.litestack.replicator.replica.s3..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("software.amazon..")
            .because("nothing outside replica/s3 knows the AWS SDK");

    @ArchTest
    static final ArchRule dbAndReplicaStayBelowTheEngine = noClasses()
            .that()
            .resideInAnyPackage("dev.litestack.replicator.db..", "dev.litestack.replicator.replica..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.litestack.replicator.engine..",
                    "dev.litestack.replicator.cli..",
                    "dev.litestack.replicator.metrics..")
            .because("the engine drives databases and replicas, never the other way round");

    @ArchTest
    static final ArchRule onlyTheCliSeesTheCli = noClasses()
            .that()
            .resideOutsideOfPackage("dev.litestack.replicator.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.litestack.replicator.cli..");

    @ArchTest
    static final ArchRule backendsAreReachedThroughTheSeam = noClasses()
            .that()
            .resideOutsideOfPackages("dev.litestack.replicator.replica..", "dev.litestack.replicator.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.litestack.replicator.replica.s3..", "dev.litestack.replicator.replica.file..")
            .because("callers use ReplicaClient; only the wiring in cli picks a backend");
}
