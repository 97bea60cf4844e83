"""ModelArts' `metric` package for inference code (metric.metrics_manager.MetricsManager)."""
