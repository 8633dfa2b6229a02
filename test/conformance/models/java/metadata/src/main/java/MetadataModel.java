import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** Metadata from MODEL_METADATA (the Java wrapper has no init_metadata hook). */
public class MetadataModel implements SeldonPredictionService {
  @Override
  public SeldonMessage predict(SeldonMessage request) {
    return Conformance.echo(request);
  }
}
