pytest_plugins = [
    "tests.fixtures.temporal",
    "tests.fixtures.database",
    "tests.fixtures.api",
    "tests.fixtures.smtp",
]
