package dev.coherent.devservices;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Testcontainers is optional: {@link Services} checks for it by class name before using it. */
class ContainersUnitTests {

  @Test
  void theProbedClassNamesAreTestcontainersOwn() {
    assertThat(Containers.CORE_CLASS).isEqualTo(DockerClientFactory.class.getName());
    assertThat(Containers.POSTGRES_CLASS).isEqualTo(PostgreSQLContainer.class.getName());
  }

  @Test
  void presentOnThisClassPathAndAbsentWhereTestcontainersIsNot() throws Exception {
    ClassLoader here = ContainersUnitTests.class.getClassLoader();
    assertThat(Containers.present(Containers.CORE_CLASS, here)).isTrue();
    assertThat(Containers.present(Containers.POSTGRES_CLASS, here)).isTrue();

    // The JDK's classes only, as in a jar without Testcontainers.
    try (URLClassLoader bare = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
      assertThat(Containers.present(Containers.CORE_CLASS, bare)).isFalse();
      assertThat(Containers.present(Containers.POSTGRES_CLASS, bare)).isFalse();
      assertThat(Containers.present(String.class.getName(), bare)).isTrue();
    }
  }
}
