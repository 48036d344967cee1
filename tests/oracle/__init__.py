"""The official AIOZ OpenAPI spec (tests/data/openapi.yaml) as an oracle for what the server sends and parses."""
