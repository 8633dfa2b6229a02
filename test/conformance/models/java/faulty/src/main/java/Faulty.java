import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonMicroserviceException;
import io.seldon.wrapper.api.SeldonPredictionService;

/** Misbehaves on request (strData selects how), like the Python Faulty. */
public class Faulty implements SeldonPredictionService {
  @Override
  public SeldonMessage predict(SeldonMessage request) {
    switch (request.getStrData()) {
      case "seldon-418" -> throw new SeldonMicroserviceException("I am a teapot", 418, "TEAPOT");
      case "seldon-default" -> throw new SeldonMicroserviceException("bad input here");
      case "plain" -> throw new IllegalArgumentException("plain failure");
      case "none" -> {
        return null;
      }
      default -> {
        return SeldonMessage.newBuilder().setStrData(request.getStrData()).build();
      }
    }
  }

  @Override
  public SeldonMessage transformInput(SeldonMessage request) {
    throw new IllegalStateException("transform failed");
  }
}
