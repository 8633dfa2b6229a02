import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** An echo model; health and metadata are the wrapper's defaults. */
public class HealthModel implements SeldonPredictionService {
  @Override
  public SeldonMessage predict(SeldonMessage request) {
    return Conformance.echo(request);
  }
}
