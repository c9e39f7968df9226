"""Local runs without Docker: infrastructure and the three services as processes."""
