import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.Meta;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;
import java.util.List;

/** An outlier detector: passes input through transformInput, scores it in tags (|x| > 100 per row). */
public class Outlier implements SeldonPredictionService {
  @Override
  public SeldonMessage transformInput(SeldonMessage request) {
    ListValue.Builder scores = ListValue.newBuilder();
    boolean any = false;
    for (Value row : request.getData().getNdarray().getValuesList()) {
      List<Double> values = new java.util.ArrayList<>();
      Conformance.flatten(row.hasListValue() ? row.getListValue() : ListValue.newBuilder().addValues(row).build(), values);
      boolean outlying = values.stream().anyMatch(v -> Math.abs(v) > 100);
      any |= outlying;
      scores.addValues(Value.newBuilder().setNumberValue(outlying ? 1 : 0));
    }
    return Conformance.echo(request).toBuilder().setMeta(Meta.newBuilder()
        .putTags("outlierScore", Value.newBuilder().setListValue(scores).build())
        .putTags("is_outlier", Value.newBuilder().setBoolValue(any).build())).build();
  }
}
