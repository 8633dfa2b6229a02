// Names its output columns with class_names().
class ClassNames {
  predict() {
    return [
      [0.1, 0.9],
      [0.8, 0.2],
    ];
  }
  class_names() {
    return ['cat', 'dog'];
  }
}
module.exports = ClassNames;
