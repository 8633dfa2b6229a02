package io.seldon.wrapper.api;

/**
 * An error the model reports to its client: REST answers {@code statusCode} with the Seldon status
 * body {@code {"status": {"code": -1, "info": message, "reason": reason, "status": 1}}}; gRPC
 * answers INVALID_ARGUMENT for a 4xx status, INTERNAL otherwise (as Python's
 * {@code SeldonMicroserviceException}).
 */
public class SeldonMicroserviceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The reason of a client error when none is given. */
  public static final String BAD_DATA = "MICROSERVICE_BAD_DATA";

  private final int statusCode;
  private final String reason;

  /** A 400 MICROSERVICE_BAD_DATA error. */
  public SeldonMicroserviceException(String message) {
    this(message, 400, BAD_DATA);
  }

  /**
   * @param message the status {@code info}
   * @param statusCode the HTTP status, 100-599 (anything else answers 400)
   * @param reason the status {@code reason}
   */
  public SeldonMicroserviceException(String message, int statusCode, String reason) {
    super(message);
    this.statusCode = statusCode >= 100 && statusCode <= 599 ? statusCode : 400;
    this.reason = reason == null ? BAD_DATA : reason;
  }

  /** The HTTP status of the answer. */
  public int getStatusCode() {
    return statusCode;
  }

  /** The status {@code reason} of the answer. */
  public String getReason() {
    return reason;
  }
}
