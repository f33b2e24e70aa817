"""phoenix-dash's JSON Schemas compiled to Python (generated: tests/support/compile_schemas.py).
A quick check that a document is valid; jsonschema judges, and words, any it refuses."""
