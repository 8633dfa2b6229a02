// A combiner: element-wise mean of all inputs.
const mean = (arrays) =>
  Array.isArray(arrays[0])
    ? arrays[0].map((_, i) => mean(arrays.map((a) => a[i])))
    : arrays.reduce((s, v) => s + v, 0) / arrays.length;
class Combiner {
  aggregate(featuresList) {
    return mean(featuresList);
  }
}
module.exports = Combiner;
