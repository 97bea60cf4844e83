"""MetricsManager, as ModelArts inference code uses it to time its stages:

    if self.model_name + '_LatencyInference' in MetricsManager.metrics:
        MetricsManager.metrics[self.model_name + '_LatencyInference'].update(ms)

The metrics of the model this worker serves are there from the start; each keeps its count,
sum, last value, minimum and maximum in the worker (the platform's own latency figures are
in the service's Prometheus metrics).
"""
import os
import threading

LATENCY_METRICS = ('LatencyPreprocess', 'LatencyInference', 'LatencyPostprocess', 'LatencyOverall')


class Metric(object):

    def __init__(self, name, unit='ms'):
        self.name, self.unit = name, unit
        self.count, self.sum, self.last = 0, 0.0, None
        self.min, self.max = None, None
        self._lock = threading.Lock()

    def update(self, value):
        with self._lock:
            value = float(value)
            self.count += 1
            self.sum += value
            self.last = value
            self.min = value if self.min is None else min(self.min, value)
            self.max = value if self.max is None else max(self.max, value)

    @property
    def mean(self):
        return self.sum / self.count if self.count else None


class MetricsManager(object):
    metrics = {}

    @classmethod
    def add(cls, name, unit='ms'):
        cls.metrics.setdefault(name, Metric(name, unit))
        return cls.metrics[name]

    @classmethod
    def start(cls, model_name):
        for suffix in LATENCY_METRICS:
            cls.add('%s_%s' % (model_name, suffix))


MetricsManager.start(os.environ.get('MA_MODEL_NAME', ''))
