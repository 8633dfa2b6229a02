package io.seldon.wrapper;

import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.Feedback;
import io.seldon.protos.PredictionProtos.Meta;
import io.seldon.protos.PredictionProtos.Metric;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.SeldonMessageList;
import io.seldon.wrapper.api.SeldonMicroserviceException;
import io.seldon.wrapper.api.SeldonPredictionService;
import io.seldon.wrapper.metrics.Metrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The transport-neutral call of the user's code, shared by REST and gRPC: the user method, then
 * the response's {@code meta} as the Python wrapper builds it (component.build_meta): {@code puid}
 * of the request, the request's tags, requestPath and metrics merged with the answer's (answer
 * wins), this unit's {@code requestPath} entry when PREDICTIVE_UNIT_ID is set, and the model's
 * metrics recorded in {@link Metrics} (left out of the answer when
 * INCLUDE_METRICS_IN_CLIENT_RESPONSE=false).
 *
 * <p>Errors: a {@link SeldonMicroserviceException} (the client's), or any RuntimeException of the
 * user's code, which the transports answer as 500.
 */
public final class Component {
  /** The metrics {@code method} label of each call (seldon-core's names). */
  public static final String PREDICT = "predict";
  public static final String ROUTE = "router";
  public static final String TRANSFORM_INPUT = "inputtransform";
  public static final String TRANSFORM_OUTPUT = "outputtransform";
  public static final String AGGREGATE = "aggregate";
  public static final String FEEDBACK = "feedback";

  private final SeldonPredictionService user;
  private final Metrics metrics;
  private final Map<String, String> fixedLabels;
  private final Map<String, String> unitPath;
  private final boolean includeMetrics;
  private final java.util.Set<String> overridden;

  /** The user's object, the metrics it records into, and the unit's identity from settings. */
  public Component(SeldonPredictionService user, Metrics metrics, Settings settings, boolean includeMetrics) {
    this.user = user;
    this.metrics = metrics;
    this.includeMetrics = includeMetrics;
    this.overridden = overridden(user.getClass());
    this.unitPath = settings.unitId() == null ? Map.of()
        : Map.of(settings.unitId(), settings.image().isEmpty() ? "NOT_IMPLEMENTED:NOT_IMPLEMENTED" : settings.image());
    Map<String, String> labels = new HashMap<>();
    String unit = settings.unitId() == null ? "NOT_IMPLEMENTED" : settings.unitId();
    labels.put("deployment_name", settings.deployment());
    labels.put("seldon_deployment_name", settings.deployment());
    labels.put("model_name", unit);
    labels.put("model_image", settings.imageName());
    labels.put("image_name", settings.imageName());
    labels.put("model_version", settings.imageVersion());
    labels.put("image_version", settings.imageVersion());
    labels.put("predictor_name", settings.predictor());
    labels.put("predictor_version", "NOT_IMPLEMENTED");
    labels.put("worker_id", Long.toString(ProcessHandle.current().pid()));
    this.fixedLabels = Map.copyOf(labels);
  }

  /** The interface methods {@code cls} (or a superclass) implements itself. */
  private static java.util.Set<String> overridden(Class<?> cls) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (java.lang.reflect.Method method : cls.getMethods()) {
      if (!method.getDeclaringClass().isInterface()) {
        out.add(method.getName());
      }
    }
    return out;
  }

  /**
   * A request must carry a payload (data, binData, strData, jsonData or customData), a tensor as many
   * values as its shape says and an ndarray rows of one length (the Python wrapper's 400s).
   */
  private static void requirePayload(SeldonMessage request) {
    if (request.getDataOneofCase() == SeldonMessage.DataOneofCase.DATAONEOF_NOT_SET) {
      throw new BadRequest("Invalid request data type: the message has no data, binData, strData, jsonData or customData");
    }
    DefaultData data = request.getData();
    if (data.hasTensor()) {
      long size = 1;
      for (int dim : data.getTensor().getShapeList()) {
        size *= dim;
      }
      if (size != data.getTensor().getValuesCount()) {
        throw new BadRequest("tensor shape " + data.getTensor().getShapeList() + " needs " + size + " values, got "
            + data.getTensor().getValuesCount());
      }
    }
    if (data.hasNdarray()) {
      rectangular(data.getNdarray());
    }
  }

  /** The depth of a nested list whose lists at each level have one length; BadRequest if ragged. */
  private static int rectangular(com.google.protobuf.ListValue list) {
    int length = -1;
    int depth = -1;
    for (Value value : list.getValuesList()) {
      int here = value.hasListValue() ? value.getListValue().getValuesCount() : -1;
      int below = value.hasListValue() ? rectangular(value.getListValue()) : 0;
      if ((length != -2 && depth != -1 && (here != length || below != depth))) {
        throw new BadRequest("ndarray is ragged: its rows differ in length or depth");
      }
      length = here;
      depth = below;
    }
    return depth + 1;
  }

  /**
   * MODEL: predict. A class that does not implement predict answers an empty {@code data.ndarray}
   * (the Python wrapper's answer; the original Java wrapper's default answered an empty message).
   */
  public SeldonMessage predict(SeldonMessage request) {
    requirePayload(request);
    if (!overridden.contains("predict")) {
      return call(PREDICT, request, r -> SeldonMessage.newBuilder().setData(DefaultData.newBuilder()
          .setNdarray(com.google.protobuf.ListValue.getDefaultInstance())).build());
    }
    return call(PREDICT, request, user::predict);
  }

  /** TRANSFORMER: transformInput; without one, the input passes through (as in Python). */
  public SeldonMessage transformInput(SeldonMessage request) {
    requirePayload(request);
    return call(TRANSFORM_INPUT, request, overridden.contains("transformInput") ? user::transformInput : Component::payload);
  }

  /** OUTPUT_TRANSFORMER: transformOutput; without one, the output passes through (as in Python). */
  public SeldonMessage transformOutput(SeldonMessage request) {
    requirePayload(request);
    return call(TRANSFORM_OUTPUT, request,
        overridden.contains("transformOutput") ? user::transformOutput : Component::payload);
  }

  private static SeldonMessage payload(SeldonMessage request) {
    return request.toBuilder().clearMeta().clearStatus().build();
  }

  /**
   * ROUTER: route; the answer keeps only the request's puid from its meta (as the Python wrapper).
   * A class without route answers 400 "Route not defined".
   */
  public SeldonMessage route(SeldonMessage request) {
    requirePayload(request);
    if (!overridden.contains("route")) {
      throw new BadRequest("Route not defined");
    }
    SeldonMessage answer = returned(ROUTE, user.route(request));
    Meta.Builder meta = Meta.newBuilder().setPuid(request.getMeta().getPuid());
    meta.putAllTags(answer.getMeta().getTagsMap());
    meta.addAllMetrics(recorded(answer.getMeta().getMetricsList(), ROUTE));
    meta.putAllRequestPath(unitPath);
    return answer.toBuilder().setMeta(meta).build();
  }

  /** COMBINER: aggregate; metas of every message are merged, puid from the first. */
  public SeldonMessage aggregate(SeldonMessageList request) {
    if (request.getSeldonMessagesCount() == 0) {
      throw new BadRequest("aggregate needs at least one message in seldonMessages");
    }
    if (!overridden.contains("aggregate")) {
      throw new BadRequest("Aggregate not defined");
    }
    SeldonMessage answer = returned(AGGREGATE, user.aggregate(request));
    return answer.toBuilder().setMeta(merge(request.getSeldonMessagesList().stream().map(SeldonMessage::getMeta).toList(),
        answer.getMeta(), AGGREGATE)).build();
  }

  /** MODEL and ROUTER: sendFeedback; counts the feedback and its (positive) reward. */
  public SeldonMessage sendFeedback(Feedback feedback) {
    SeldonMessage answer = overridden.contains("sendFeedback") ? returned(FEEDBACK, user.sendFeedback(feedback))
        : SeldonMessage.newBuilder().setData(DefaultData.newBuilder()
            .setNdarray(com.google.protobuf.ListValue.getDefaultInstance())).build();
    metrics.inc("seldon_api_model_feedback", "Feedback received", labels(Map.of(), FEEDBACK), 1);
    if (feedback.getReward() > 0) {
      metrics.inc("seldon_api_model_feedback_reward", "Total reward of the feedback received",
          labels(Map.of(), FEEDBACK), feedback.getReward());
    }
    return answer.toBuilder().setMeta(merge(List.of(), answer.getMeta(), FEEDBACK)).build();
  }

  private SeldonMessage call(String method, SeldonMessage request, Function<SeldonMessage, SeldonMessage> fn) {
    SeldonMessage answer = returned(method, fn.apply(request));
    return answer.toBuilder().setMeta(merge(List.of(request.getMeta()), answer.getMeta(), method)).build();
  }

  private static SeldonMessage returned(String method, SeldonMessage answer) {
    if (answer == null) {
      throw new BadRequest("the model's " + method + " returned null: return a SeldonMessage");
    }
    return answer;
  }

  private Meta merge(List<Meta> incoming, Meta answer, String method) {
    Meta.Builder out = Meta.newBuilder();
    if (!incoming.isEmpty()) {
      out.setPuid(incoming.get(0).getPuid());
    }
    if (!answer.getPuid().isEmpty()) {
      out.setPuid(answer.getPuid());
    }
    Map<String, Value> tags = new LinkedHashMap<>();
    Map<String, String> path = new LinkedHashMap<>(unitPath);
    List<Metric> metricsOut = new ArrayList<>();
    for (Meta meta : incoming) {
      tags.putAll(meta.getTagsMap());
      path.putAll(meta.getRequestPathMap());
      metricsOut.addAll(meta.getMetricsList());
    }
    tags.putAll(answer.getTagsMap());
    path.putAll(answer.getRequestPathMap());
    List<Metric> own = recorded(answer.getMetricsList(), method);
    if (includeMetrics) {
      metricsOut.addAll(own);
    }
    return out.putAllTags(tags).putAllRequestPath(path).addAllMetrics(metricsOut).build();
  }

  /** Record the model's metrics; they are returned with {@code method} added to tagged ones. */
  private List<Metric> recorded(List<Metric> own, String method) {
    List<Metric> out = new ArrayList<>();
    for (Metric metric : own) {
      if (metric.getKey().isEmpty()) {
        throw new SeldonMicroserviceException("Bad metric created during request: a metric has no key",
            500, "MICROSERVICE_BAD_METRIC");
      }
      Map<String, String> labels = labels(metric.getTagsMap(), method);
      try {
        switch (metric.getType()) {
          case COUNTER -> metrics.inc(metric.getKey(), "", labels, metric.getValue());
          case GAUGE -> metrics.set(metric.getKey(), "", labels, metric.getValue());
          case TIMER -> metrics.observe(metric.getKey(), "", labels, Metrics.TIMER_BUCKETS, metric.getValue() / 1000.0);
          default -> throw new IllegalArgumentException("unknown type " + metric.getType());
        }
      } catch (IllegalArgumentException e) {
        throw new SeldonMicroserviceException("Bad metric created during request: " + metric.getKey() + ": "
            + e.getMessage(), 500, "MICROSERVICE_BAD_METRIC");
      }
      out.add(metric.getTagsCount() == 0 ? metric : metric.toBuilder().putTags("method", method).build());
    }
    return out;
  }

  private Map<String, String> labels(Map<String, String> tags, String method) {
    Map<String, String> labels = new HashMap<>(tags);
    labels.putAll(fixedLabels);
    labels.put("method", method);
    return labels;
  }
}
