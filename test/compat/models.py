"""The differential-test models (test/compat/models/<name>/<Class>.py) and how each is started.

One server per model per implementation. `env` is given to both implementations alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Dict

IDENTITY = {"PREDICTIVE_UNIT_ID": "my-unit", "PREDICTIVE_UNIT_IMAGE": "myrepo/my-image:0.3",
            "SELDON_DEPLOYMENT_ID": "mydep", "PREDICTOR_ID": "default", "PREDICTOR_LABELS": '{"version": "v1"}'}


@dataclass(frozen=True)
class ModelSpec:
    name: str
    class_name: str
    service_type: str = "MODEL"
    env: Dict[str, str] = field(default_factory=dict)
    directory: str = ""  # under test/compat/models; default: the name

    @property
    def path(self) -> str:
        return self.directory or self.name


MODEL_METADATA = {"name": "from-env", "versions": ["v-env"],
                  "inputs": [{"messagetype": "jsonData", "schema": {}}]}
PARAMETERS = [
    {"name": "a", "value": "3", "type": "INT"},
    {"name": "b", "value": "2.5", "type": "FLOAT"},
    {"name": "c", "value": "hi", "type": "STRING"},
    {"name": "d", "value": "true", "type": "BOOL"},
    {"name": "e", "value": "1e3", "type": "DOUBLE"},
]

SPECS = {spec.name: spec for spec in [
    ModelSpec("echo", "Echo"),
    ModelSpec("image", "MyModel"),
    ModelSpec("meta_aware", "MetaAware"),
    ModelSpec("class_names", "ClassNames"),
    ModelSpec("class_names_attr", "ClassNamesAttr"),
    ModelSpec("tags_metrics", "TagsMetrics", env=IDENTITY),
    ModelSpec("bad_metric", "BadMetric"),
    ModelSpec("tags_metrics_hidden", "TagsMetrics", directory="tags_metrics",
              env={"INCLUDE_METRICS_IN_CLIENT_RESPONSE": "false"}),
    ModelSpec("seldon_response", "SeldonResponseModel"),
    ModelSpec("raw", "Raw"),
    ModelSpec("router", "Router", "ROUTER"),
    ModelSpec("transformer", "Transformer", "TRANSFORMER", env=IDENTITY),
    # The reference's CLI rejects OUTPUT_TRANSFORMER (spec §1.1), so both run it as a MODEL.
    ModelSpec("output_transformer", "OutputTransformer", "MODEL"),
    ModelSpec("combiner", "Combiner", "COMBINER"),
    ModelSpec("outlier", "Outlier", "OUTLIER_DETECTOR"),
    ModelSpec("feedback", "Feedback", env=IDENTITY),
    ModelSpec("health", "HealthModel", env={"PREDICTIVE_UNIT_IMAGE": "myrepo/health:1.2"}),
    ModelSpec("health_raw", "HealthRaw"),
    ModelSpec("health_unimpl", "HealthUnimpl"),
    ModelSpec("metadata", "MetadataModel", env={"MODEL_METADATA": json.dumps(MODEL_METADATA)}),
    ModelSpec("bad_metadata", "BadMetadata"),
    ModelSpec("faulty", "Faulty"),
    ModelSpec("params", "Params", env={"PREDICTIVE_UNIT_PARAMETERS": json.dumps(PARAMETERS)}),
    ModelSpec("outputs", "Outputs"),
    ModelSpec("encoding", "Encoding"),
    ModelSpec("describe", "Describe"),
    ModelSpec("describe_raw", "DescribeRaw", directory="describe"),
    # The operator's metrics path (spec §1.2), with full identity for the metric labels.
    ModelSpec("feedback_prometheus", "Feedback", directory="feedback",
              env=dict(IDENTITY, PREDICTIVE_UNIT_METRICS_ENDPOINT="/prometheus")),
]}
