"""`import log`, as ModelArts' inference code writes it (the same module as model_service.log)."""
from model_service.log import getLogger, level  # noqa: F401
