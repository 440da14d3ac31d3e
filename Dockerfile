FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY transforms ./transforms
RUN pip install --no-cache-dir .
COPY partners ./partners
EXPOSE 8080
CMD ["gateway", "run"]
