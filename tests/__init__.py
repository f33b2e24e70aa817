"""The test suite (a package, so benchmarks import its support code the same way)."""
