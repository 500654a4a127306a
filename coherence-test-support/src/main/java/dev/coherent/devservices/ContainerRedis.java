package dev.coherent.devservices;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Redis 7 in a container. The host port is fixed at creation so that stopping and starting the
 * container keeps the address clients reconnect to. Testcontainers removes it at JVM exit.
 *
 * <p>Thread-safe: stop and start are synchronized.
 */
final class ContainerRedis extends RedisAdmin {
  private final GenericContainer<?> container;
  private final int hostPort;

  private ContainerRedis(GenericContainer<?> container, int hostPort) {
    this.container = container;
    this.hostPort = hostPort;
  }

  @SuppressWarnings("resource") // lives until JVM exit (Testcontainers' reaper removes it)
  static ContainerRedis launch() {
    int hostPort = FreePort.pick();
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse("redis:7"))
            .withExposedPorts(6379)
            .withCommand("redis-server", "--save", "", "--appendonly", "no")
            .withCreateContainerCmdModifier(
                cmd ->
                    cmd.getHostConfig()
                        .withPortBindings(
                            List.of(
                                new PortBinding(
                                    Ports.Binding.bindPort(hostPort), new ExposedPort(6379)))));
    container.start();
    return new ContainerRedis(container, hostPort);
  }

  @Override
  public ServiceSource source() {
    return ServiceSource.TESTCONTAINERS;
  }

  @Override
  public RedisURI uri() {
    return RedisURI.create(container.getHost(), hostPort);
  }

  @Override
  public boolean canStopAndStart() {
    return true;
  }

  @Override
  public synchronized void stop() {
    container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public synchronized void start() {
    container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!isReachable() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }
}
