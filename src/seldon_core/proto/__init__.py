"""`seldon_core.proto` compatibility: `from seldon_core.proto import prediction_pb2` keeps working."""
