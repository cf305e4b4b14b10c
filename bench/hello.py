"""A bare Flask "hello world": the ceiling the benchmark measures the app against."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Answer with a fixed greeting and nothing else."""
    return "Hello, world!"
