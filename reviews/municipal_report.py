"""Placeholder: replaced by the municipal summary PDF's report definition."""


def register_reports() -> None:
    """Register the municipal summary report kind with reports.definitions.register."""
