// An input transformer: scales numeric input, upper-cases strings.
const times10 = (x) => (Array.isArray(x) ? x.map(times10) : x * 10);
class Transformer {
  transform_input(X) {
    return typeof X === 'string' ? X.toUpperCase() : times10(X);
  }
}
module.exports = Transformer;
