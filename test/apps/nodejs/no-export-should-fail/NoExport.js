// Forgets module.exports: the build must fail naming the file.
class NoExport {
  predict(X) {
    return X;
  }
}
