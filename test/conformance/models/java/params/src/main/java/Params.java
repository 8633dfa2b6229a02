import com.google.gson.Gson;
import com.google.protobuf.util.JsonFormat;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** PREDICTIVE_UNIT_PARAMETERS through the constructor: answers {name: [python type name, value]} in jsonData. */
public class Params implements SeldonPredictionService {
  private final Map<String, Object> seen = new LinkedHashMap<>();

  public Params(Map<String, Object> parameters) {
    parameters.forEach((name, value) -> seen.put(name, List.of(switch (value) {
      case Integer i -> "int";
      case Double d -> "float";
      case Boolean b -> "bool";
      default -> "str";
    }, value)));
  }

  @Override
  public SeldonMessage predict(SeldonMessage request) {
    SeldonMessage.Builder out = SeldonMessage.newBuilder();
    try {
      JsonFormat.parser().merge("{\"jsonData\": " + new Gson().toJson(seen) + "}", out);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    return out.build();
  }
}
