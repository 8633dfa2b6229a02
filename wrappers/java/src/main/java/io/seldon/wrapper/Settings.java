package io.seldon.wrapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything the wrapper reads from its environment, once, at start-up (the Python wrapper's
 * {@code seldon_s2i.runtime.settings}): the model, its service type, the ports, the metrics path,
 * the gRPC message limit, the REST body limit, the SIGTERM grace period and the unit's identity
 * (metric labels, {@code meta.requestPath}, default metadata).
 *
 * <p>Ports: PREDICTIVE_UNIT_HTTP_SERVICE_PORT / _GRPC_ / _METRICS_ win; otherwise API_TYPE=REST
 * serves REST on 5000, GRPC serves gRPC on 5000, both (or unset) REST 9000 + gRPC 5000; metrics
 * on 6000. A port of -1 means that listener is off.
 */
public record Settings(
    String modelName,
    String serviceType,
    int httpPort,
    int grpcPort,
    int metricsPort,
    String metricsPath,
    int grpcMaxMessageBytes,
    long maxRequestBytes,
    int graceSeconds,
    String parameters,
    String modelMetadata,
    String unitId,
    String image,
    String deployment,
    String predictor) {

  /** The service types of the Seldon graph. */
  public static final java.util.List<String> SERVICE_TYPES =
      java.util.List.of("MODEL", "ROUTER", "TRANSFORMER", "OUTPUT_TRANSFORMER", "COMBINER", "OUTLIER_DETECTOR");

  private static final int DEFAULT_LIMIT = 256 * 1024 * 1024;

  /** SELDON_S2I_GRACE_SECONDS's default: below the operator's terminationGracePeriodSeconds (30). */
  private static final int DEFAULT_GRACE_SECONDS = 20;

  /** A start-up mistake of the user, reported as one {@code ERROR:} line (exit 2). */
  public static final class UsageError extends Exception {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }

  /**
   * Settings from the command line ({@code MODEL_NAME [SERVICE_TYPE]}, else the variables of the
   * same names) and the environment.
   *
   * @throws UsageError for a missing model name, an unknown service type, a malformed number or a
   *     negative SELDON_S2I_GRACE_SECONDS
   */
  public static Settings from(String[] args, Map<String, String> env) throws UsageError {
    String model = args.length > 0 ? args[0] : env.getOrDefault("MODEL_NAME", "");
    String type = (args.length > 1 ? args[1] : env.getOrDefault("SERVICE_TYPE", "MODEL")).trim().toUpperCase();
    if (model.isBlank()) {
      throw new UsageError("MODEL_NAME is not set: give the class name (e.g. com.example.MyModel)");
    }
    if (!SERVICE_TYPES.contains(type)) {
      throw new UsageError("SERVICE_TYPE=" + type + " is not one of " + String.join(", ", SERVICE_TYPES));
    }
    String api = env.getOrDefault("API_TYPE", "").trim().toUpperCase();
    int http = port(env, "PREDICTIVE_UNIT_HTTP_SERVICE_PORT", api.equals("GRPC") ? -1 : api.equals("REST") ? 5000 : 9000);
    int grpc = port(env, "PREDICTIVE_UNIT_GRPC_SERVICE_PORT", api.equals("REST") ? -1 : 5000);
    int metrics = port(env, "PREDICTIVE_UNIT_METRICS_SERVICE_PORT", 6000);
    Map<String, String> annotations = annotations(
        Path.of(env.getOrDefault("SELDON_S2I_ANNOTATIONS_FILE", "/etc/podinfo/annotations")));
    int grpcMax = integer("seldon.io/grpc-max-message-size", annotations.get("seldon.io/grpc-max-message-size"), DEFAULT_LIMIT);
    grpcMax = integer("GRPC_MAX_MESSAGE_LENGTH", env.get("GRPC_MAX_MESSAGE_LENGTH"), grpcMax);
    long maxBody = integer("SELDON_S2I_MAX_REQUEST_BYTES", env.get("SELDON_S2I_MAX_REQUEST_BYTES"), DEFAULT_LIMIT);
    int grace = integer("SELDON_S2I_GRACE_SECONDS", env.get("SELDON_S2I_GRACE_SECONDS"), DEFAULT_GRACE_SECONDS);
    if (grace < 0) {
      throw new UsageError("SELDON_S2I_GRACE_SECONDS must be 0 or more seconds, got '" + grace + "'");
    }
    String path = env.getOrDefault("PREDICTIVE_UNIT_METRICS_ENDPOINT", "");
    return new Settings(model.trim(), type, http, grpc, metrics, path.isEmpty() ? "/metrics" : path,
        grpcMax, maxBody, grace, env.getOrDefault("PREDICTIVE_UNIT_PARAMETERS", "[]"), env.get("MODEL_METADATA"),
        env.get("PREDICTIVE_UNIT_ID"), env.getOrDefault("PREDICTIVE_UNIT_IMAGE", ""),
        env.getOrDefault("SELDON_DEPLOYMENT_ID", "NOT_IMPLEMENTED"), env.getOrDefault("PREDICTOR_ID", "NOT_IMPLEMENTED"));
  }

  /** The image name (before the last colon), or NOT_IMPLEMENTED. */
  public String imageName() {
    int colon = image.lastIndexOf(':');
    return image.isEmpty() ? "NOT_IMPLEMENTED" : colon > 0 ? image.substring(0, colon) : image;
  }

  /** The image version (after the last colon), or NOT_IMPLEMENTED. */
  public String imageVersion() {
    int colon = image.lastIndexOf(':');
    return colon > 0 ? image.substring(colon + 1) : "NOT_IMPLEMENTED";
  }

  private static int port(Map<String, String> env, String name, int fallback) throws UsageError {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    int port = integer(name, value, 0);
    if (port < 1 || port > 65535) {
      throw new UsageError(name + " must be a port number 1-65535, got '" + value + "'");
    }
    return port;
  }

  private static int integer(String name, String value, int fallback) throws UsageError {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageError(name + " must be an integer, got '" + value + "'");
    }
  }

  /** The Kubernetes downward-API annotations file ({@code key="value"} per line); empty if absent. */
  static Map<String, String> annotations(Path file) {
    Map<String, String> out = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          String value = line.substring(eq + 1).strip();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          out.put(line.substring(0, eq).strip(), value);
        }
      }
    } catch (IOException e) {
      // no annotations: the defaults apply
    }
    return out;
  }
}
