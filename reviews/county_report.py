"""Placeholder: replaced by the county summary PDF's report definition."""


def register_reports() -> None:
    """Register the county summary report kind with reports.definitions.register."""
