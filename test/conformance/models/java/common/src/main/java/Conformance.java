import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What the Java conformance models share (copied next to each model by the java-image profile):
 * the Python models' echo with numpy's default column names, and element-wise arithmetic.
 */
public final class Conformance {
  private Conformance() {}

  /** The request's payload with Python's default column names (t:0, t:1, ... for 2-D and deeper data). */
  public static SeldonMessage echo(SeldonMessage request) {
    SeldonMessage.Builder out = request.toBuilder().clearMeta().clearStatus();
    if (request.hasData()) {
      DefaultData data = request.getData();
      DefaultData.Builder named = data.toBuilder().clearNames();
      if (data.getDataOneofCase() == DefaultData.DataOneofCase.DATAONEOF_NOT_SET) {
        named.setNdarray(ListValue.getDefaultInstance()); // Python decodes no data as []
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
      Value first = data.getNdarray().getValues(0);
      return first.hasListValue() ? first.getListValue().getValuesCount() : 0;
    }
    return 0;
  }

  /** Every number of a nested list times {@code factor} plus {@code plus}. */
  public static ListValue times(ListValue list, double factor, double plus) {
    ListValue.Builder out = ListValue.newBuilder();
    for (Value v : list.getValuesList()) {
      out.addValues(v.hasListValue() ? Value.newBuilder().setListValue(times(v.getListValue(), factor, plus)).build()
          : Value.newBuilder().setNumberValue(v.getNumberValue() * factor + plus).build());
    }
    return out.build();
  }

  /** The echo of {@code request} with its numbers times {@code factor} plus {@code plus}, strData upper-cased. */
  public static SeldonMessage map(SeldonMessage request, double factor, double plus) {
    SeldonMessage echoed = echo(request);
    if (request.hasStrData()) {
      return echoed.toBuilder().setStrData(request.getStrData().toUpperCase()).build();
    }
    DefaultData.Builder data = echoed.getData().toBuilder();
    if (data.hasTensor()) {
      Tensor.Builder t = Tensor.newBuilder().addAllShape(data.getTensor().getShapeList());
      data.getTensor().getValuesList().forEach(v -> t.addValues(v * factor + plus));
      data.setTensor(t);
    } else if (data.hasNdarray()) {
      data.setNdarray(times(data.getNdarray(), factor, plus));
    }
    return echoed.toBuilder().setData(data).build();
  }

  /** The numbers of a nested list, depth first. */
  public static void flatten(ListValue list, List<Double> out) {
    for (Value v : list.getValuesList()) {
      if (v.hasListValue()) {
        flatten(v.getListValue(), out);
      } else {
        out.add(v.getNumberValue());
      }
    }
  }

  /** The numbers of a tensor or ndarray, in order. */
  public static List<Double> values(DefaultData data) {
    List<Double> out = new ArrayList<>();
    if (data.hasTensor()) {
      out.addAll(data.getTensor().getValuesList());
    } else {
      flatten(data.getNdarray(), out);
    }
    return out;
  }
}
