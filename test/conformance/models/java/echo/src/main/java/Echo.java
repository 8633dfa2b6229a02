import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** Returns its input, named as the Python Echo's answer is (Conformance.echo). */
public class Echo implements SeldonPredictionService {
  @Override
  public SeldonMessage predict(SeldonMessage request) {
    return Conformance.echo(request);
  }

  @Override
  public SeldonMessage transformInput(SeldonMessage request) {
    return Conformance.echo(request);
  }

  @Override
  public SeldonMessage transformOutput(SeldonMessage request) {
    return Conformance.echo(request);
  }
}
