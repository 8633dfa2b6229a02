import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** An input transformer: numbers times 10, strData upper-cased (the Python Transformer). */
public class Transformer implements SeldonPredictionService {
  @Override
  public SeldonMessage transformInput(SeldonMessage request) {
    return Conformance.map(request, 10, 0);
  }
}
