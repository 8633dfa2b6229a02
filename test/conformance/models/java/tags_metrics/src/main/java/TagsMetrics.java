import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.Meta;
import io.seldon.protos.PredictionProtos.Metric;
import io.seldon.protos.PredictionProtos.Metric.MetricType;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** Custom tags and metrics in the answer's meta: counter, gauge and timer, with and without tags. */
public class TagsMetrics implements SeldonPredictionService {
  private static Metric metric(String key, MetricType type, float value, String... tag) {
    Metric.Builder m = Metric.newBuilder().setKey(key).setType(type).setValue(value);
    if (tag.length == 2) {
      m.putTags(tag[0], tag[1]);
    }
    return m.build();
  }

  @Override
  public SeldonMessage predict(SeldonMessage request) {
    return Conformance.echo(request).toBuilder().setMeta(meta()).build();
  }

  @Override
  public SeldonMessage transformInput(SeldonMessage request) {
    return predict(request);
  }

  @Override
  public SeldonMessage transformOutput(SeldonMessage request) {
    return predict(request);
  }

  @Override
  public SeldonMessage sendFeedback(io.seldon.protos.PredictionProtos.Feedback feedback) {
    return SeldonMessage.newBuilder().setData(io.seldon.protos.PredictionProtos.DefaultData.newBuilder()
        .setNdarray(com.google.protobuf.ListValue.getDefaultInstance())).setMeta(meta()).build();
  }

  private static Meta meta() {
    return Meta.newBuilder()
        .putTags("model_tag", Value.newBuilder().setStringValue("tm").build())
        .putTags("number", Value.newBuilder().setNumberValue(7).build())
        .addMetrics(metric("tm_counter", MetricType.COUNTER, 1))
        .addMetrics(metric("tm_counter_tagged", MetricType.COUNTER, 2, "colour", "red"))
        .addMetrics(metric("tm_gauge", MetricType.GAUGE, 42.5f))
        .addMetrics(metric("tm_gauge_tagged", MetricType.GAUGE, 3, "colour", "blue"))
        .addMetrics(metric("tm_timer", MetricType.TIMER, 20.5f))
        .addMetrics(metric("tm_timer_tagged", MetricType.TIMER, 1500, "size", "big"))
        .build();
  }
}
