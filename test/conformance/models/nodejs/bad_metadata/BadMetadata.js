// init_metadata with a non-string custom value: metadata validation fails.
class BadMetadata {
  predict(X) {
    return X;
  }
  init_metadata() {
    return { name: 'bad', custom: { n: 1 } };
  }
}
module.exports = BadMetadata;
