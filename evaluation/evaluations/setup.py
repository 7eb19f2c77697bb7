"""What evaluations registers when the app is ready: navigation, attention items, job kinds."""


def register() -> None:
    """Called from `EvaluationConfig.ready()`."""
