// A syntax error: the build must fail with the user's stack trace.
class Broken {
  predict(X) {
    return X +;
  }
}
module.exports = Broken;
