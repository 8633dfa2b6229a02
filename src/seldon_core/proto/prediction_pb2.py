"""Re-export of seldon-s2i's generated `seldon.protos` messages under seldon-core's module path."""

from seldon_s2i.runtime.proto.prediction_pb2 import *  # noqa: F401,F403
