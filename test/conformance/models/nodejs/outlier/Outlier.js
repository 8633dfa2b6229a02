// An outlier detector: passes input through transform_input and scores it in tags.
class Outlier {
  constructor() {
    this.scores = [];
  }
  transform_input(X) {
    const rows = Array.isArray(X[0]) ? X : [X];
    this.scores = rows.map((row) => (row.some((v) => Math.abs(v) > 100) ? 1 : 0));
    return X;
  }
  tags() {
    return { outlierScore: this.scores, is_outlier: this.scores.some(Boolean) };
  }
}
module.exports = Outlier;
