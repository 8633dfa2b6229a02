// Deprecated style: class_names as a list attribute.
class ClassNamesAttr {
  constructor() {
    this.class_names = ['low', 'high'];
  }
  predict() {
    return [
      [1, 2],
      [3, 4],
    ];
  }
}
module.exports = ClassNamesAttr;
