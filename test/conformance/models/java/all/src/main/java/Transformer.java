import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.Tensor;
import io.seldon.wrapper.api.SeldonPredictionService;

/** An input transformer: numbers times 10, strData upper-cased (the Python Transformer). */
public class Transformer implements SeldonPredictionService {
  static ListValue times(ListValue list, double factor, double plus) {
    ListValue.Builder out = ListValue.newBuilder();
    for (Value v : list.getValuesList()) {
      out.addValues(v.hasListValue() ? Value.newBuilder().setListValue(times(v.getListValue(), factor, plus)).build()
          : Value.newBuilder().setNumberValue(v.getNumberValue() * factor + plus).build());
    }
    return out.build();
  }

  static SeldonMessage map(SeldonMessage request, double factor, double plus) {
    SeldonMessage echoed = Echo.echo(request);
    if (request.hasStrData()) {
      return echoed.toBuilder().setStrData(request.getStrData().toUpperCase()).build();
    }
    var data = echoed.getData().toBuilder();
    if (data.hasTensor()) {
      Tensor.Builder t = Tensor.newBuilder().addAllShape(data.getTensor().getShapeList());
      data.getTensor().getValuesList().forEach(v -> t.addValues(v * factor + plus));
      data.setTensor(t);
    } else if (data.hasNdarray()) {
      data.setNdarray(times(data.getNdarray(), factor, plus));
    }
    return echoed.toBuilder().setData(data).build();
  }

  @Override
  public SeldonMessage transformInput(SeldonMessage request) {
    return map(request, 10, 0);
  }
}
