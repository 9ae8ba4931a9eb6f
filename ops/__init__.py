"""What an operator watches: Prometheus metrics and the /healthz and /metrics endpoint."""
