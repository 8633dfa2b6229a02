// A valid model whose .s2i/environment forgets MODEL_NAME: the build must fail naming .s2i/environment.
class MyModel {
  predict(X) {
    return X;
  }
}
module.exports = MyModel;
