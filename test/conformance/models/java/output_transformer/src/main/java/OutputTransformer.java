import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.Meta;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** An output transformer: adds one, and the tag output=transformed (the Python OutputTransformer). */
public class OutputTransformer implements SeldonPredictionService {
  @Override
  public SeldonMessage transformOutput(SeldonMessage request) {
    return Conformance.map(request, 1, 1).toBuilder()
        .setMeta(Meta.newBuilder().putTags("output", Value.newBuilder().setStringValue("transformed").build()))
        .build();
  }

  @Override
  public SeldonMessage predict(SeldonMessage request) {
    return Conformance.echo(request);
  }
}
