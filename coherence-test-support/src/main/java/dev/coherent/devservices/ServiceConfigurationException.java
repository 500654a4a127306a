package dev.coherent.devservices;

/**
 * A setting for an external service is malformed or points at something that does not answer.
 * The message names the setting, the (password-masked) value and what would be valid.
 */
public final class ServiceConfigurationException extends RuntimeException {
  public ServiceConfigurationException(String message) {
    super(message);
  }

  public ServiceConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
