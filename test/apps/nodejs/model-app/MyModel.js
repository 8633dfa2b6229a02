// The walkthrough model: doubles every value; init() runs once, before the first request.
class MyModel {
  async init() {
    this.factor = 2;
  }

  predict(X, featureNames) {
    return X.map((row) => row.map((v) => v * this.factor));
  }
}
module.exports = MyModel;
