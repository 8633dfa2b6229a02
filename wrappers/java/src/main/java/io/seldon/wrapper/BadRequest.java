package io.seldon.wrapper;

import io.seldon.wrapper.api.SeldonMicroserviceException;

/**
 * Bad input the wrapper itself detected (not the user's code): REST 400, gRPC INVALID_ARGUMENT.
 * (A SeldonMicroserviceException the user's code throws answers its own status over REST and
 * UNKNOWN over gRPC, like an exception escaping a Python wrapper's handler.)
 */
public final class BadRequest extends SeldonMicroserviceException {
  private static final long serialVersionUID = 1L;

  /** A 400 MICROSERVICE_BAD_DATA with {@code message}. */
  public BadRequest(String message) {
    super(message);
  }
}
