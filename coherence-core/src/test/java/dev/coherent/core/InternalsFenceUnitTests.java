package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fence: no code outside coherence-core may use {@code dev.coherent.core.internal} (an import,
 * a fully qualified name, a class placed in the package, or a reflective name), so integrations
 * build on the public API only and the internals can change without notice. A plain scan of every
 * other module's sources, main and test, so that a module added later is covered as well.
 */
class InternalsFenceUnitTests {
  /** The package, or its directory, in any form a source file could reach it. */
  private static final Pattern INTERNAL =
      Pattern.compile("dev\\.coherent\\.core\\.internal|dev/coherent/core/internal");

  /** The repository: the parent of this module's directory (Maven runs tests from there). */
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  @Test
  void nothingOutsideCoreUsesItsInternals() throws IOException {
    Set<String> modules = new TreeSet<>();
    List<Path> offenders;
    List<Path> sources = new ArrayList<>();
    Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        return !dir.equals(ROOT) && (name.startsWith(".") || name.equals("target"))
            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (isOtherModuleSource(file)) {
          sources.add(file);
        }
        return FileVisitResult.CONTINUE;
      }
    });
    sources.forEach(p -> modules.add(ROOT.relativize(p).getName(0).toString()));
    offenders = sources.stream().filter(InternalsFenceUnitTests::mentionsInternals)
        .map(ROOT::relativize).toList();

    // Not vacuous: the scan sees the other modules' sources.
    assertThat(modules).contains("benchmarks", "db", "demo-catalog-service");
    assertThat(sources).hasSizeGreaterThan(50);
    assertThat(offenders)
        .as("files outside coherence-core that use dev.coherent.core.internal (use the public API"
            + " in dev.coherent.core, or ask for what is missing there)")
        .isEmpty();
  }

  @Test
  void theScanRecognisesEveryFormOfUse() {
    assertThat(INTERNAL.matcher("import dev.coherent.core.internal.NamespaceCache;").find())
        .isTrue();
    assertThat(INTERNAL.matcher("package dev.coherent.core.internal.redis;").find()).isTrue();
    assertThat(INTERNAL.matcher("Class.forName(\"dev.coherent.core.internal.L1Store\")").find())
        .isTrue();
    assertThat(INTERNAL.matcher("getResource(\"/dev/coherent/core/internal/redis/read.lua\")")
        .find()).isTrue();
    assertThat(INTERNAL.matcher("import dev.coherent.core.NearCache;").find()).isFalse();
    assertThat(isOtherModuleSource(ROOT.resolve("db/src/main/java/dev/coherent/db/X.java")))
        .isTrue();
    assertThat(isOtherModuleSource(ROOT.resolve("coherence-core/src/main/java/X.java"))).isFalse();
    assertThat(isOtherModuleSource(ROOT.resolve("benchmarks/target/generated-sources/X.java")))
        .isFalse();
  }

  private static boolean isOtherModuleSource(Path path) {
    Path relative = ROOT.relativize(path);
    if (relative.getNameCount() < 3 || !path.toString().endsWith(".java")) {
      return false;
    }
    String module = relative.getName(0).toString();
    return !module.equals("coherence-core") && !module.startsWith(".")
        && relative.getName(1).toString().equals("src") && !relative.toString().contains("target");
  }

  private static boolean mentionsInternals(Path path) {
    try {
      return INTERNAL.matcher(Files.readString(path, StandardCharsets.UTF_8)).find();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
