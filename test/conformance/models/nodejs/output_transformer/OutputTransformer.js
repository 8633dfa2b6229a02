// An output transformer: adds one, and a tag.
const plusOne = (x) => {
  if (Array.isArray(x)) return x.map(plusOne);
  if (typeof x !== 'number') throw new TypeError(`cannot add 1 to ${JSON.stringify(x)}`);
  return x + 1;
};
class OutputTransformer {
  transform_output(X) {
    return plusOne(X);
  }
  tags() {
    return { output: 'transformed' };
  }
}
module.exports = OutputTransformer;
