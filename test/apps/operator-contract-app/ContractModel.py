"""The operator-contract test app (test/integration/test_operator_contract.py), Python's version.

One class plays both graph roles: as a TRANSFORMER it adds `offset` to every value, as a MODEL it
multiplies every value by `scale` (both from PREDICTIVE_UNIT_PARAMETERS). A request whose names are
["slow"] takes SLOW_SECONDS (to be in flight when the container is stopped). Every call tags the
answer with the unit's `tag` parameter and counts itself in the COUNTER contract_calls_total.
"""

import time

SLOW_SECONDS = 1.5


class ContractModel:
    def __init__(self, offset=0.0, scale=2.0, tag="unit"):
        self.offset = float(offset)
        self.scale = float(scale)
        self.tag = tag

    def _slow(self, names):
        if list(names or []) == ["slow"]:
            time.sleep(SLOW_SECONDS)

    def transform_input(self, X, features_names=None):
        self._slow(features_names)
        return [[value + self.offset for value in row] for row in X]

    def predict(self, X, features_names=None):
        self._slow(features_names)
        return [[value * self.scale for value in row] for row in X]

    def tags(self):
        return {self.tag: "called"}

    def metrics(self):
        return [{"type": "COUNTER", "key": "contract_calls_total", "value": 1}]
