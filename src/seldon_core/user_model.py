"""`seldon_core.user_model` compatibility: the optional base class and the response wrapper."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from seldon_core.flask_utils import SeldonMicroserviceException


class SeldonNotImplementedError(SeldonMicroserviceException):
    """Raised by the SeldonComponent stubs; the runtime then falls back to its default behaviour."""

    status_code = 400

    def __init__(self, message: str) -> None:
        SeldonMicroserviceException.__init__(self, message)


class SeldonResponse:
    """Return value carrying runtime tags and metrics next to the payload."""

    def __init__(self, data: Any, tags: Optional[Dict] = None, metrics: Optional[List[Dict]] = None) -> None:
        self.data = data
        self.tags = tags if tags is not None else {}
        self.metrics = metrics if metrics is not None else []

    @classmethod
    def create(cls, data: Any) -> SeldonResponse:
        return data if isinstance(data, SeldonResponse) else cls(data)


class SeldonComponent:
    """Optional base class for user models; every stub raises SeldonNotImplementedError."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def tags(self) -> Dict:
        raise SeldonNotImplementedError("tags is not implemented")

    def class_names(self) -> List[str]:
        raise SeldonNotImplementedError("class_names is not implemented")

    def load(self) -> None:
        pass

    def predict(self, X: Any, names: List[str], meta: Optional[Dict] = None) -> Any:
        raise SeldonNotImplementedError("predict is not implemented")

    def predict_raw(self, msg: Any) -> Any:
        raise SeldonNotImplementedError("predict_raw is not implemented")

    def send_feedback_raw(self, feedback: Any) -> Any:
        raise SeldonNotImplementedError("send_feedback_raw is not implemented")

    def transform_input(self, X: Any, names: List[str], meta: Optional[Dict] = None) -> Any:
        raise SeldonNotImplementedError("transform_input is not implemented")

    def transform_input_raw(self, msg: Any) -> Any:
        raise SeldonNotImplementedError("transform_input_raw is not implemented")

    def transform_output(self, X: Any, names: List[str], meta: Optional[Dict] = None) -> Any:
        raise SeldonNotImplementedError("transform_output is not implemented")

    def transform_output_raw(self, msg: Any) -> Any:
        raise SeldonNotImplementedError("transform_output_raw is not implemented")

    def metrics(self) -> List[Dict]:
        raise SeldonNotImplementedError("metrics is not implemented")

    def feature_names(self) -> List[str]:
        raise SeldonNotImplementedError("feature_names is not implemented")

    def send_feedback(self, features: Any, feature_names: List[str], reward: float, truth: Any,
                      routing: Optional[int] = None) -> Any:
        raise SeldonNotImplementedError("send_feedback is not implemented")

    def route(self, features: Any, feature_names: List[str]) -> int:
        raise SeldonNotImplementedError("route is not implemented")

    def route_raw(self, msg: Any) -> Any:
        raise SeldonNotImplementedError("route_raw is not implemented")

    def aggregate(self, features_list: List[Any], feature_names_list: List[Any]) -> Any:
        raise SeldonNotImplementedError("aggregate is not implemented")

    def aggregate_raw(self, msgs: Any) -> Any:
        raise SeldonNotImplementedError("aggregate_raw is not implemented")

    def health_status(self) -> Any:
        raise SeldonNotImplementedError("health_status is not implemented")

    def health_status_raw(self) -> Any:
        raise SeldonNotImplementedError("health_status_raw is not implemented")

    def init_metadata(self) -> Dict:
        raise SeldonNotImplementedError("init_metadata is not implemented")
