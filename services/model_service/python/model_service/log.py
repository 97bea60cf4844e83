"""The `log` module of ModelArts' inference runtime: `logger = log.getLogger(__name__)`.

Records go to the worker's stdout, which the platform writes to its log under the service's
and the instance's name.
"""
import logging
import sys

level = logging.INFO
_handler = logging.StreamHandler(stream=sys.stdout)
_handler.setFormatter(logging.Formatter('%(asctime)s [%(threadName)-12.12s] - %(pathname)s[line:%(lineno)d] - %(levelname)s: %(message)s',
                                        '%Y-%m-%d %H:%M:%S %Z'))
_handler.setLevel(level)
_root = logging.getLogger()
if _handler not in _root.handlers:
    _root.addHandler(_handler)


def getLogger(name):
    logger = logging.getLogger(name)
    logger.setLevel(level)
    return logger
