// Depends on a package that does not exist: npm install fails, so does the build.
class Unresolvable {
  predict(X) {
    return X;
  }
}
module.exports = Unresolvable;
