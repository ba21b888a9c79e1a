pytest_plugins = [
    "tests.fixtures.temporal",
    "tests.fixtures.database",
    "tests.fixtures.smtp",
    "tests.fixtures.api",
]
