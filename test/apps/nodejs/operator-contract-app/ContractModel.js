// The operator-contract test app (test/integration/test_operator_contract.py), NodeJS's version of
// test/apps/operator-contract-app/ContractModel.py.
//
// One class plays both graph roles: as a TRANSFORMER it adds `offset` to every value, as a MODEL it
// multiplies every value by `scale` (both from PREDICTIVE_UNIT_PARAMETERS, given to the constructor as
// one typed options object). A request whose names are ["slow"] takes SLOW_MS (to be in flight when the
// container is stopped; awaited, so the event loop serves other requests meanwhile). Every call tags the
// answer with the unit's `tag` parameter and counts itself in the COUNTER contract_calls_total.
const SLOW_MS = 1500;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class ContractModel {
  constructor({ offset = 0.0, scale = 2.0, tag = 'unit' } = {}) {
    this.offset = Number(offset);
    this.scale = Number(scale);
    this.tag = tag;
  }

  async slow(names) {
    if (Array.isArray(names) && names.length === 1 && names[0] === 'slow') await sleep(SLOW_MS);
  }

  async transform_input(X, names) {
    await this.slow(names);
    return X.map((row) => row.map((value) => value + this.offset));
  }

  async predict(X, names) {
    await this.slow(names);
    return X.map((row) => row.map((value) => value * this.scale));
  }

  tags() {
    return { [this.tag]: 'called' };
  }

  metrics() {
    return [{ type: 'COUNTER', key: 'contract_calls_total', value: 1 }];
  }
}

module.exports = ContractModel;
