package dev.coherent.demo;

/** Creates the {@link InstanceModule} of one instance; called once per instance at startup. */
@FunctionalInterface
public interface InstanceModuleFactory {
  InstanceModule create(InstanceContext context);
}
