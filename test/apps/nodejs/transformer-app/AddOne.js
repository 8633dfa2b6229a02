// An input transformer: adds one to every value.
const addOne = (x) => (Array.isArray(x) ? x.map(addOne) : x + 1);
class AddOne {
  transform_input(X, names) {
    return addOne(X);
  }
}
module.exports = AddOne;
