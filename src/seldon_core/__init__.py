"""Compatibility shim: the parts of the `seldon_core` package (1.17.1) that user models import.

Model classes written for seldon-core (`from seldon_core.user_model import SeldonResponse`,
`from seldon_core.flask_utils import SeldonMicroserviceException`, `seldon_core.metrics.create_counter`)
run unchanged on seldon-s2i. The runtime recognises these classes by duck typing, so a user who
installs the real seldon-core package instead gets the same behaviour.
"""
