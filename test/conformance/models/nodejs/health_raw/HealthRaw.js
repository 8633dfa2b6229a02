// health_status_raw returns a message verbatim.
class HealthRaw {
  predict(X) {
    return X;
  }
  health_status_raw() {
    return { strData: 'raw healthy', meta: { tags: { h: 1 } } };
  }
}
module.exports = HealthRaw;
