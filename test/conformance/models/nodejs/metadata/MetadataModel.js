// init_metadata, overlaid by MODEL_METADATA from the environment.
class MetadataModel {
  predict(X) {
    return X;
  }
  init_metadata() {
    return {
      name: 'from-init',
      versions: ['v-init'],
      platform: 'seldon',
      inputs: [{ messagetype: 'tensor', schema: { names: ['a', 'b'], shape: [2] } }],
      outputs: [{ name: 'out', datatype: 'FP32', shape: [1, 2] }],
      custom: { author: 'compat' },
    };
  }
}
module.exports = MetadataModel;
