"""The benchmark: realistic data, the production server, and figures against a hello world.

See bench/README.md. Run it with `make bench` (all sizes) or `make bench-smoke` (seconds).
"""
