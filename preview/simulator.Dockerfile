# The synthetic Phoenix Orchestrator exporter (phoenix-dash simulate).
FROM python:3.11-slim
WORKDIR /src
COPY pyproject.toml README.md ./
COPY phoenix_dash ./phoenix_dash
RUN pip install --no-cache-dir .
EXPOSE 9108
CMD ["phoenix-dash", "simulate", "--host", "0.0.0.0", "--port", "9108"]
