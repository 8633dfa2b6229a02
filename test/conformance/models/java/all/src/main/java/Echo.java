import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** Returns its input, named as the Python Echo's answer is (t:0, t:1, ... for 2-D and deeper data). */
public class Echo implements SeldonPredictionService {
  /** The request's payload with Python's default column names; meta is the wrapper's to merge. */
  static SeldonMessage echo(SeldonMessage request) {
    SeldonMessage.Builder out = request.toBuilder().clearMeta().clearStatus();
    if (request.hasData()) {
      DefaultData data = request.getData();
      DefaultData.Builder named = data.toBuilder().clearNames();
      if (data.getDataOneofCase() == DefaultData.DataOneofCase.DATAONEOF_NOT_SET) {
        named.setNdarray(com.google.protobuf.ListValue.getDefaultInstance()); // Python decodes no data as []
      }
      int columns = columns(data);
      for (int i = 0; i < columns; i++) {
        named.addNames("t:" + i);
      }
      out.setData(named);
    }
    return out.build();
  }

  static int columns(DefaultData data) {
    if (data.hasTensor() && data.getTensor().getShapeCount() >= 2) {
      return data.getTensor().getShape(1);
    }
    if (data.hasNdarray() && data.getNdarray().getValuesCount() > 0) {
      var first = data.getNdarray().getValues(0);
      return first.hasListValue() ? first.getListValue().getValuesCount() : 0;
    }
    return 0;
  }

  @Override
  public SeldonMessage predict(SeldonMessage request) {
    return echo(request);
  }

  @Override
  public SeldonMessage transformInput(SeldonMessage request) {
    return echo(request);
  }

  @Override
  public SeldonMessage transformOutput(SeldonMessage request) {
    return echo(request);
  }
}
