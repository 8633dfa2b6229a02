// Constructor options from PREDICTIVE_UNIT_PARAMETERS (INT, FLOAT, DOUBLE, STRING, BOOL).
const typeName = (v) =>
  typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v === 'boolean' ? 'bool' : 'str';
class Params {
  constructor({ a, b, c, d, e = null }) {
    this.params = Object.fromEntries(Object.entries({ a, b, c, d, e }).map(([k, v]) => [k, [typeName(v), v]]));
  }
  predict() {
    return this.params;
  }
}
module.exports = Params;
